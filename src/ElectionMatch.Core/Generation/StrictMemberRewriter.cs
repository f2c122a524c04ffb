using Fluid.Ast;

namespace ElectionMatch.Generation;

/// <summary>Puts a <see cref="StrictMemberExpression"/> around each member access of a parsed template.</summary>
internal sealed class StrictMemberRewriter : AstRewriter
{
    protected override Expression VisitMemberExpression(MemberExpression memberExpression) =>
        base.VisitMemberExpression(memberExpression) is MemberExpression visited ? new StrictMemberExpression(visited) : memberExpression;
}
