using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace ElectionMatch.Generation;

/// <summary>
/// A member access that fails where Liquid would answer nil for a member its value lacks: a string's or a list's
/// (Fluid's values answer <c>size</c>, <c>first</c> and <c>last</c> and nil for any other name, so a misspelt
/// <c>{{ column.nmae }}</c> on a string rendered as nothing), a number's or a boolean's (which answer nil for every
/// name, <c>size</c> too), and a model dictionary's, whose error it names the expression in.
/// </summary>
internal sealed class StrictMemberExpression(MemberExpression inner) : Expression
{
    /// <summary>The names Fluid's string and array values answer (Fluid.Values.StringValue and ArrayValue's GetValueAsync).</summary>
    public static readonly string[] LiquidMembers = ["size", "first", "last"];

    private static readonly string[] NoMembers = [];

    public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        FluidValue value;
        try
        {
            value = await inner.EvaluateAsync(context);
        }
        catch (UndefinedMemberException e) when (e.Owner is null)
        {
            // A model dictionary knows its members, not the expression that read it.
            var at = Enumerable.Range(1, inner.Segments.Count - 1).FirstOrDefault(i => inner.Segments[i] is IdentifierSegment s && s.Identifier == e.Member);
            throw at > 0 ? e.Of(Written(at)) : e;
        }

        // A value is never the nil of a misspelt member; only a nil one is looked at again.
        if (!value.IsNil())
        {
            return value;
        }

        for (var i = 1; i < inner.Segments.Count; i++)
        {
            if (inner.Segments[i] is not IdentifierSegment { Identifier: var name })
            {
                continue;
            }

            var owner = await new MemberExpression(inner.Segments.Take(i).ToList()).EvaluateAsync(context);
            if (owner.IsNil())
            {
                break;
            }

            // A number or a boolean has no member in Fluid (NumberValue and BooleanValue answer nil to every name).
            var (kind, members) = owner.Type switch
            {
                FluidValues.String => ("a string", LiquidMembers),
                FluidValues.Array => ("a list", LiquidMembers),
                FluidValues.Number => ("a number", NoMembers),
                FluidValues.Boolean => ("a boolean", NoMembers),
                _ => (null, LiquidMembers),
            };
            if (kind is not null && !members.Contains(name, StringComparer.Ordinal))
            {
                throw new UndefinedMemberException(name, kind, members, Written(i));
            }
        }

        return value;
    }

    protected override Expression Accept(AstVisitor visitor) => this;

    /// <summary>The expression's first <paramref name="count"/> segments as a template writes them (an index as <c>[…]</c>).</summary>
    private string Written(int count) => string.Concat(inner.Segments.Take(count).Select((s, i) => s switch
    {
        IdentifierSegment identifier => (i == 0 ? "" : ".") + identifier.Identifier,
        _ => "[…]",
    }));
}
