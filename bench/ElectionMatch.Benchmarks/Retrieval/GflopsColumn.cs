using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>GFLOP/s from the class's <see cref="FlopsPerOperationAttribute"/> and the mean time of a call.</summary>
internal sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "2·left·right·dimensions floating-point operations per call over its mean time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = benchmarkCase.Descriptor.Type.GetCustomAttribute<FlopsPerOperationAttribute>()?.Flops;
        double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return flops is null || nanoseconds is null or 0
            ? "-"
            : (flops.Value / nanoseconds.Value).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
