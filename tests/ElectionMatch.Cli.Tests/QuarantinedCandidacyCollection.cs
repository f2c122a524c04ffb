namespace ElectionMatch.Tests;

/// <summary>
/// The test classes that start from <see cref="QuarantinedCandidacyRun"/>: one run for all of them instead of one per
/// class. xunit runs a collection's classes one after the other, so none needs a lock against another; a class that
/// writes into the project works on a copy of its own (<see cref="ClassProjectCopy"/>, <see cref="FixtureCopy.Clone"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class QuarantinedCandidacyCollection : ICollectionFixture<QuarantinedCandidacyRun>
{
    public const string Name = "the quarantined candidacy run";
}
