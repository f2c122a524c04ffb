namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>Floating-point operations of one benchmark call, for <see cref="GflopsColumn"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class FlopsPerOperationAttribute(double flops) : Attribute
{
    public double Flops { get; } = flops;
}
