using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Evaluation;
using PolicyBot.Search;

namespace PolicyBot.Evaluation.Tests;

public sealed class QaRegressionTests
{
    private const string Yaml = """
        # comment
        - question: "Why Hong Kong?"
          document: "hosting.md"
          phrase: "financial hub"
        - question: "What is the weather on Mars?"
          abstain: true
        """;

    [Fact]
    public void Parse_AnswerableAndAbstainEntries()
    {
        var cases = QaRegression.Parse(Yaml);
        Assert.Equal(2, cases.Count);
        Assert.Equal(new QaCase("Why Hong Kong?", "hosting.md", "financial hub", false, 2), cases[0]);
        Assert.True(cases[1].Abstain);
        Assert.Null(cases[1].Document);
    }

    [Theory]
    [InlineData("- question: \"x\"\n  document: \"a.md\"\n")]
    [InlineData("- document: \"a.md\"\n  phrase: \"p\"\n")]
    [InlineData("question: \"not a list\"\n")]
    [InlineData("- [unclosed\n")]
    public void Parse_BadEntry_Throws(string yaml)
    {
        Assert.Throws<FormatException>(() => QaRegression.Parse(yaml));
    }

    [Fact]
    public void Judge_PhraseInSecondCitation_IsHit3NotHit1()
    {
        var c = new QaCase("q", "notes/hosting.md", "FINANCIAL HUB", false, 1);
        var answer = Answered(Cite(1, "notes/other.md", "nothing here"), Cite(2, "notes/hosting.md", "a financial hub with rule of law"));
        var o = QaRegression.Judge(c, answer);
        Assert.False(o.Hit1);
        Assert.True(o.Hit3);
        Assert.False(o.Passed);
    }

    [Fact]
    public void Judge_BareFileNameMatchesDocumentInFolder()
    {
        var o = QaRegression.Judge(new QaCase("q", "hosting.md", "financial hub", false, 1), Answered(Cite(1, "notes/hosting.md", "A Financial Hub.")));
        Assert.True(o.Hit1);
        Assert.True(o.Passed);
    }

    [Fact]
    public void Judge_AbstainCase_PassesOnlyWhenAbstained()
    {
        var c = new QaCase("q", null, null, true, 1);
        Assert.True(QaRegression.Judge(c, new Answer { Id = "x", Question = "q", Outcome = AnswerOutcome.Abstained, Text = "no" }).Passed);
        Assert.False(QaRegression.Judge(c, Answered(Cite(1, "a.md", "text"))).Passed);
    }

    [Fact]
    public async Task Run_WholeAnswerPath_ReportsHitRateAndAbstention()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policybot-qa-test-{Guid.NewGuid():N}");
        try
        {
            var docs = new[]
            {
                EvaluationDocuments.Create("hosting.md", "Hosting the AI organisation", "Hong Kong is a financial hub with common law and deep capital markets, which makes it a strong host city."),
                EvaluationDocuments.Create("eu.md", "The EU AI Act", "The European Union adopted the AI Act, which classifies systems by risk and bans some practices outright."),
            };
            await using var engine = PolicyBotEngine.OpenDocuments(docs, new PolicyBotOptions { IndexPath = path }, NullLoggerFactory.Instance, CancellationToken.None);
            var cases = QaRegression.Parse("""
                - question: "Why is Hong Kong a strong host city?"
                  document: "hosting.md"
                  phrase: "financial hub"
                - question: "How does the AI Act classify systems?"
                  document: "eu.md"
                  phrase: "by risk"
                - question: "zebra migration patterns in kenya"
                  abstain: true
                """);
            var report = QaRegression.Run(engine.Answer, cases);
            Assert.Equal(2, report.Answerable);
            Assert.Equal(1, report.AbstainCases);
            Assert.Equal(1, report.Hit1);
            Assert.Equal(1, report.Hit3);
            Assert.Equal(1, report.AbstentionAccuracy);
            Assert.Empty(report.Failures);
        }
        finally
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    [Fact]
    public void Parse_TypeFactAndPrevious_AreRead()
    {
        var cases = QaRegression.Parse("""
            - {question: "And when?", previous: "Who proposed it?", type: followup, document: a.md, phrase: "p", fact: 'July|2025'}
            - {question: "UK?", type: near-miss, abstain: true}
            """);
        Assert.Equal("followup", cases[0].Type);
        Assert.Equal("July|2025", cases[0].Fact);
        Assert.Equal("Who proposed it?", cases[0].Previous);
        Assert.Equal("near-miss", cases[1].ReportType);
        Assert.Equal("untyped", QaRegression.Parse("- {question: q, abstain: true}")[0].ReportType);
    }

    [Fact]
    public void Parse_BadFactPattern_ThrowsWithLine()
    {
        var ex = Assert.Throws<FormatException>(() => QaRegression.Parse("- {question: q, document: a.md, phrase: p, fact: '(unclosed'}"));
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_FactPattern_MatchesAnswerTextNotPassage()
    {
        var c = new QaCase("q", "a.md", "hub", false, 1, "factual", @"1\s*billion");
        var answer = Answered(Cite(1, "a.md", "a hub with 1 billion")) with { Text = "The fund is 1 billion yuan [1]" };
        Assert.True(QaRegression.Judge(c, answer).Fact);
        Assert.False(QaRegression.Judge(c, answer with { Text = "a hub [1]" }).Fact);
    }

    [Fact]
    public void ByType_ReportsHitsFactAbstentionPrecisionRecallAndRefusals()
    {
        var answerable = new QaCase("q", "a.md", "hub", false, 1, "factual", "hub");
        var uncovered = new QaCase("u", null, null, true, 2, "near-miss");
        var abstained = new Answer { Id = "x", Question = "q", Outcome = AnswerOutcome.Abstained, Text = "no" };
        var good = Answered(Cite(1, "a.md", "a hub")) with { Text = "a hub [1]" };
        var report = new QaReport(
        [
            QaRegression.Judge(answerable, good),
            QaRegression.Judge(answerable, abstained),
            QaRegression.Judge(uncovered, abstained),
            QaRegression.Judge(uncovered, good),
        ]);
        var factual = report.ByType.Single(t => t.Type == "factual");
        Assert.Equal(0.5, factual.Hit1);
        Assert.Equal(0.5, factual.Fact);
        Assert.Equal(0.5, factual.WronglyRefused);
        var nearMiss = report.ByType.Single(t => t.Type == "near-miss");
        Assert.Equal(0.5, nearMiss.AbstentionRecall);
        Assert.Equal(0.5, report.Overall.AbstentionPrecision);
        Assert.Equal(0.5, report.Overall.AbstentionRecall);
    }

    private static Citation Cite(int rank, string path, string passage) => new(rank, "t", "", "", passage, 1, path + "#0", path);

    private static Answer Answered(params Citation[] citations) =>
        new() { Id = "x", Question = "q", Outcome = AnswerOutcome.Answered, Text = "a [1]", Citations = citations };
}
