using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using Xunit.Abstractions;

namespace PolicyBot.Search.Tests;

/// <summary>Compare and brief over the shipped corpus through the real engine (the answer contract only).</summary>
public sealed class ComparisonAndBriefTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PolicyBotEngine _engine = null!;
    private string _indexDir = "";

    public async Task InitializeAsync()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        _indexDir = Path.Combine(Path.GetTempPath(), "policybot-tests", Guid.NewGuid().ToString("N"));
        var options = new PolicyBotOptions { IndexPath = Path.Combine(_indexDir, "index.db") };
        options.CorpusDirectories.Add(Path.Combine(dir!.FullName, "corpus"));
        _engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_indexDir, recursive: true);
    }

    [Fact]
    public void Detect_QuestionNamingThreeJurisdictions_TopicAndOrder()
    {
        var detected = ComparisonComposer.Detect("How do China, the US and the EU regulate AI?");
        Assert.NotNull(detected);
        Assert.Equal(["CN", "US", "EU"], detected.Value.Jurisdictions.Select(j => j.Code));
        Assert.Equal("how China, the US and the EU regulate AI", detected.Value.Topic);
        Assert.Equal("regulate AI", ComparisonComposer.TopicWords(detected.Value.Topic));
    }

    // The heading all three platforms show comes from Comparison.Title: never the question with the names cut out
    // ("Compared: How do regulate AI?").
    [Theory]
    [InlineData("How do China, the US and the EU regulate AI?", "", "Compared: how China, the US and the EU regulate AI")]
    [InlineData("compare AI regulation in EU, US and China", "", "Compared: AI regulation in EU, US and China")]
    [InlineData("AI regulation", "China, EU", "Compared: AI regulation in China and the EU")]
    [InlineData("What does Singapore or Japan require of AI vendors?", "", "Compared: what Singapore or Japan require of AI vendors")]
    [InlineData("中国和美国如何监管人工智能？", "", "Compared: 中国和美国如何监管人工智能")]
    [InlineData("   ", "EU, US", "Compared: AI policy in the EU and the US")]
    public void Title_IsACleanTopicPhrase(string text, string list, string expected)
    {
        var detected = ComparisonComposer.Detect(text);
        var jurisdictions = list.Length > 0 ? JurisdictionNames.ParseList(list) : detected!.Value.Jurisdictions;
        var comparison = new Comparison(detected?.Topic ?? text, [.. jurisdictions.Select(j => new ComparisonRow(j, ComparisonCoverage.NotInCorpus, "", 0))], [], "v");
        Assert.Equal(expected, comparison.Title);
        Assert.DoesNotContain("  ", comparison.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void TopicWords_HugeAndHostileInput_BoundedAndNeverEmpty()
    {
        var huge = string.Concat(Enumerable.Repeat("How do the EU and China regulate <@everyone> AI? ", 2000));
        Assert.NotEmpty(ComparisonComposer.TopicWords(huge));
        Assert.DoesNotContain("China", ComparisonComposer.TopicWords(huge), StringComparison.Ordinal);
        Assert.Equal("EU", ComparisonComposer.TopicWords("EU"));
        Assert.Equal("", ComparisonComposer.Phrase("???"));
    }

    [Theory]
    [InlineData("Why should Hong Kong co-host the AI centre?")]
    [InlineData("What are the four functions of the NIST AI RMF?")]
    [InlineData("tell us about the AI act")]
    [InlineData("")]
    public void Detect_OneOrNoJurisdiction_Null(string question) => Assert.Null(ComparisonComposer.Detect(question));

    [Fact]
    public void ParseList_NamesCodesAndUnknown_KeptInOrderOnce()
    {
        var list = JurisdictionNames.ParseList("EU, us and Hong Kong; cn hk / Peru, EU");
        Assert.Equal(["EU", "US", "HK", "CN", "Peru"], list.Select(j => j.Code));
        Assert.False(list[^1].Known);
        Assert.Empty(JurisdictionNames.ParseList("  ,, ; "));
        Assert.Equal(6, JurisdictionNames.ParseList(string.Join(",", Enumerable.Range(0, 50).Select(i => "X" + i))).Count);
    }

    [Fact]
    public async Task Compare_ChinaUsEuAndUncoveredCanada_OneCitedLinePerCoveredJurisdiction()
    {
        var comparer = new ComparisonComposer(_engine, _engine);
        var comparison = await comparer.CompareAsync(
            "How do China, the US and the EU regulate AI?",
            [.. JurisdictionNames.ParseList("China, US, EU, Canada")],
            QuestionContext.Cli,
            CancellationToken.None);

        foreach (var row in comparison.Rows)
        {
            output.WriteLine($"{row.Jurisdiction.Name}: {(row.Covered ? row.Line : row.NotCoveredText)}");
        }

        Assert.Equal(["CN", "US", "EU", "CA"], comparison.Rows.Select(r => r.Jurisdiction.Code));
        Assert.All(comparison.Rows.Take(3), r => Assert.True(r.Covered, r.Jurisdiction.Name));
        Assert.Equal(ComparisonCoverage.NotInCorpus, comparison.Rows[3].Coverage);
        Assert.Contains("Canada", comparison.Rows[3].NotCoveredText, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, comparison.Citations.Count), comparison.Citations.Select(c => c.Rank));
        foreach (var row in comparison.Rows.Where(r => r.Covered))
        {
            var citation = comparison.Citations[row.Rank - 1];
            Assert.Contains(row.Jurisdiction.Code, citation.Jurisdictions);
            Assert.EndsWith($" [{row.Rank}]", row.Line, StringComparison.Ordinal);
            var extract = row.Line[..^$" [{row.Rank}]".Length].TrimEnd('…');
            Assert.Contains(extract, AnswerComposer.Display(citation.Passage), StringComparison.Ordinal);

            // Each row quotes a document about that jurisdiction alone (its front matter names no other, GLOBAL aside)
            // when the corpus has one on the topic: China's row is China's own governance text, not a WAICO note.
            Assert.Equal([row.Jurisdiction.Code], citation.Jurisdictions.Where(j => j != "GLOBAL"));

            // The link and the outlet shown come from one source entry (the shipped schema knows each outlet's site).
            Assert.Null(PolicyBot.Search.Corpus.CorpusSchema.Load(CorpusDir()).OutletUrlProblem(citation.Reference?.Outlet ?? "", citation.SourceUrl));
        }

        Assert.Equal("Compared: how China, the US and the EU regulate AI", comparison.Title);

        // China's row speaks to the topic (regulation), not to hosting WAICO.
        Assert.Contains("regulat", comparison.Rows[0].Line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("WAICO", comparison.Rows[0].Line, StringComparison.Ordinal);
    }

    private static string CorpusDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir.FullName, "corpus");
    }

    [Fact]
    public async Task Brief_EuAiAct_ThreeSectionsOfVerbatimCitedBulletsWithinOneScreen()
    {
        var brief = await new BriefComposer(_engine).BriefAsync("the EU AI Act", QuestionContext.Cli, CancellationToken.None);
        foreach (var s in brief.Sections)
        {
            output.WriteLine("## " + s.Heading);
            foreach (var b in s.Bullets)
            {
                output.WriteLine("- " + b.Text);
            }
        }

        output.WriteLine(brief.AsOfText);
        Assert.Equal([BriefComposer.WhatItIs, BriefComposer.StatusAndDates, BriefComposer.WhatToDo], brief.Sections.Select(s => s.Heading));
        Assert.All(brief.Sections, s => Assert.NotEmpty(s.Bullets));
        var bullets = brief.Sections.SelectMany(s => s.Bullets).ToList();
        Assert.InRange(bullets.Count, 3, BriefComposer.MaxBullets);
        Assert.True(bullets.Sum(b => b.Text.Length) <= BriefComposer.MaxChars + (bullets.Count * 6));
        Assert.Equal(bullets.Count, bullets.Select(b => b.Text).Distinct().Count());
        foreach (var b in bullets)
        {
            var citation = brief.Citations[b.Rank - 1];
            var extract = b.Text[..^$" [{b.Rank}]".Length].TrimEnd('…');
            Assert.Contains(extract, AnswerComposer.Display(citation.Passage), StringComparison.Ordinal);
        }

        Assert.Matches(@"\b20\d\d\b", string.Join(' ', brief.Sections[1].Bullets.Select(b => b.Text)));
        Assert.StartsWith("Sources as of ", brief.AsOfText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sourdough starter hydration")]
    public async Task Brief_NothingCovered_Empty(string topic)
    {
        var brief = await new BriefComposer(_engine).BriefAsync(topic, QuestionContext.Cli, CancellationToken.None);
        Assert.True(brief.Empty);
        Assert.Empty(brief.Citations);
    }
}
