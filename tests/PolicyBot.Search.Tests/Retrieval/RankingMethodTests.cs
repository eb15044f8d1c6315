using PolicyBot.Core.Searching;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Search.Tests.Retrieval;

/// <summary>Each ranking method's effect, pinned by turning it off — never by a constant score.</summary>
public sealed class RankingMethodTests : IAsyncLifetime
{
    private readonly TestCorpus _corpus = new();
    private PolicyBotEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _corpus.Write("tariffs.md", "# Tariffs\n\nThe port charges no tariffs on imported chips. Importers file a short declaration.");
        _corpus.Write("ports.md", "# Harbour logistics\n\nThe harbour handles container traffic, and tariffs on chips are waived for re-export.");
        _corpus.Write("courts.md", "# Courts and judges\n\nIndependent judges apply the common law; appeals reach the final court.");
        _corpus.Write("hosting.md", "# Hosting\n\nTwo cities could co-host the secretariat of the council.");
        _corpus.Write("organisation.md", "# The organisation\n\nThe organisation coordinates members; its secretariat answers to the council.");
        _engine = await _corpus.OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _corpus.Dispose();
    }

    private Searcher With(RankingOptions options) => new(_engine.View, Synonyms.None, options);

    private static string Top(Searcher s, string question)
    {
        var result = s.Search(question, new SearchOptions { Top = 3 });
        return result.Hits.Count == 0 ? "" : s.Passage(result.Hits[0].Passage).DocumentPath;
    }

    [Fact]
    public void TitleWeight_TermInTheTitle_RanksAboveTheSameTermOnceInTheBody()
    {
        Assert.Equal("tariffs.md", Top(With(RankingOptions.Default), "tariffs"));
        var bodyOnly = With(RankingOptions.Default with { TitleWeight = 0, SectionWeight = 0 });
        var hits = bodyOnly.Search("tariffs", new SearchOptions { Top = 2 }).Hits;
        var withTitle = With(RankingOptions.Default).Search("tariffs", new SearchOptions { Top = 2 }).Hits;
        Assert.True(withTitle[0].Score - withTitle[1].Score > hits[0].Score - hits[1].Score);
    }

    [Theory]
    [InlineData("tariffs on chips", 0)]
    [InlineData("tariffs on chips", 5)]
    [InlineData("secretariat of the council hosting", 5)]
    [InlineData("judges harbour declaration", 5)]
    public void PostingsCache_SecondSearchFromTheCache_SameHitsScoresAndCoverageAsLucenesPostings(string question, int feedback)
    {
        // The first search of a term reads Lucene's postings and term vectors; the next ones read the searcher's
        // flat copies. A fresh searcher over the same index version has read nothing yet: every figure must agree.
        var options = RankingOptions.Default with { FeedbackDocuments = feedback };
        var warm = With(options);
        var query = warm.Parse(question);
        var first = warm.Search(query, 5);
        var second = warm.Search(query, 5);
        var fresh = With(options);
        var coverage = Enumerable.Range(0, fresh.View.MaxDoc).Select(p => fresh.Coverage(query, p).Share).ToList();

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.Equal(first, With(options).Search(query, 5));
        Assert.Equal(coverage, Enumerable.Range(0, warm.View.MaxDoc).Select(p => warm.Coverage(query, p).Share));
        Assert.Contains(coverage, c => c > 0);
    }

    [Fact]
    public void QuestionWords_AreRemoved_OnlyStopWordsIsEmpty()
    {
        var s = With(RankingOptions.Default);
        Assert.Equal(["judges"], s.Parse("What are the judges?").ConceptWords);
        Assert.True(s.Parse("what is the").IsEmpty);
    }

    [Fact]
    public void Spelling_UnknownWord_IsCorrectedOnlyWhenTheMethodIsOn()
    {
        Assert.Equal("ports.md", Top(With(RankingOptions.Default), "containr"));
        var off = With(RankingOptions.Default with { CorrectSpelling = false });
        Assert.All(off.Parse("containr").Terms, t => Assert.False(t.IsKnown));
        Assert.Equal("", Top(off, "containr"));
        Assert.Contains(With(RankingOptions.Default).Parse("containr").Terms, t => t.Origin == QueryTermOrigin.Correction && t.Term == "contain");
    }

    [Fact]
    public void Spelling_RunTogetherWords_AreSplit()
    {
        var terms = With(RankingOptions.Default).Parse("cohost").Terms.Where(t => t.Origin == QueryTermOrigin.Correction).Select(t => t.Term);
        Assert.Equal(["co", "host"], terms);
    }

    [Fact]
    public void Explain_EveryHit_ContributionsAddUpToItsScore_FeedbackOnOrOff()
    {
        foreach (var options in new[] { RankingOptions.Default, RankingOptions.Default with { FeedbackDocuments = 0 }, RankingOptions.Default with { FeedbackBelowCoverage = 2 } })
        {
            var s = With(options);
            var query = s.Parse("tariffs on chips in the harbour");
            foreach (var hit in s.Search(query, 4))
            {
                Assert.Equal(hit.Score, s.Explain(query, hit.Passage).Sum(c => c.Contribution), 4);
            }
        }
    }

    [Fact]
    public void Coverage_ConceptMissingFromThePassage_LowersTheShare()
    {
        var s = With(RankingOptions.Default);
        var query = s.Parse("judges tariffs");
        var courts = s.Search(query, 5).First(h => s.Passage(h.Passage).DocumentPath == "courts.md");
        var coverage = s.Coverage(query, courts.Passage);
        Assert.Equal([true, false], coverage.Covered);
        Assert.InRange(coverage.Share, 0.01, 0.99);
    }

    [Fact]
    public void Searcher_Seam_GivesTermStatisticsAndPassageText()
    {
        ISearcher s = _engine.Searcher;
        Assert.Equal(5, s.PassageCount);
        Assert.Equal(2, s.DocumentFrequency("tariff"));
        Assert.Equal(0, s.DocumentFrequency("nonexistent"));
        Assert.Equal(["independ", "judg"], s.Analyze("Independent judges"));
        var hit = s.Search("judges", new SearchOptions { Top = 1 }).Hits[0];
        var passage = s.Passage(hit.Passage);
        Assert.Equal("courts.md", passage.DocumentPath);
        Assert.Equal(File.ReadAllText(Path.Combine(_corpus.CorpusDir, "courts.md")).Substring(passage.Start, passage.Length), passage.Text);
    }
}
