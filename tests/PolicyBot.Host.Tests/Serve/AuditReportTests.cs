using System.Text.Json.Nodes;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Cli;
using PolicyBot.Host.Serve;
using Spectre.Console;
using PolicyBot.State;
using PolicyBot.State.Sqlite;

namespace PolicyBot.Host.Tests.Serve;

public sealed class AuditReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static AuditRecord Record(string id, string question, AnswerOutcome outcome, double ms, int minutes, params string[] cited) => new()
    {
        AnswerId = id,
        At = T0.AddMinutes(minutes),
        Platform = "discord",
        ServerId = "g1",
        ChannelId = "c1",
        UserHash = "abc",
        Question = question,
        Outcome = outcome,
        Reason = outcome == AnswerOutcome.Answered ? null : outcome == AnswerOutcome.Abstained ? "not in corpus" : "rate limited (user)",
        CitedPassageIds = cited,
        CorpusVersion = "b1",
        LatencyMs = ms,
    };

    private static async Task<SqliteBotStore> SeededStoreAsync(TestCorpus corpus)
    {
        var store = BotStoreFactory.CreateSqlite(corpus.IndexPath, null, null);
        await store.MigrateAsync(CancellationToken.None);
        var records = new[]
        {
            Record("a1", "What is the maximum fine?", AnswerOutcome.Answered, 3.5, 0, "widget.md#2", "widget.md#3"),
            Record("a2", "Fine under the widget act?", AnswerOutcome.Answered, 12.25, 1, "widget.md#2"),
            Record("a3", "Who supervises gadgets?", AnswerOutcome.Answered, 1.0, 2, "gadget.md#1"),
            Record("b1", "What is the capital of Peru?", AnswerOutcome.Abstained, 0.8, 3),
            Record("b2", "Capital of Peru?", AnswerOutcome.Abstained, 0.9, 4),
            Record("b3", "What is the capital of Peru?", AnswerOutcome.Abstained, 0.7, 5),
            Record("b4", "How tall is Everest?", AnswerOutcome.Abstained, 40.0, 6),
            Record("c1", "=cmd|' /C calc'!A0, \"quoted\"", AnswerOutcome.Refused, 0.1, 7),
        };
        foreach (var r in records)
        {
            await store.RecordQuestionAsync(r, CancellationToken.None);
        }

        await store.RecordAsync(new Feedback("a1", "discord", "u1", FeedbackReaction.Positive, null, T0.AddMinutes(10)), CancellationToken.None);
        await store.RecordAsync(new Feedback("a2", "teams", "u2", FeedbackReaction.Negative, "wrong article", T0.AddMinutes(11)), CancellationToken.None);
        await store.RecordAsync(new Feedback("a3", "teams", "u3", FeedbackReaction.Positive, null, T0.AddMinutes(12)), CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Build_SeededTrail_GroupsGapsTopicsFeedbackAndSlowest()
    {
        using var corpus = new TestCorpus();
        await using var store = await SeededStoreAsync(corpus);
        var report = await AuditReport.BuildAsync(store.ReadAuditAsync(null, CancellationToken.None), 10, CancellationToken.None);

        Assert.Equal(8, report.Questions);
        Assert.Equal(3, report.Answered);
        Assert.Equal(4, report.Abstained);
        Assert.Equal(1, report.Refused);
        var peru = report.CoverageGaps[0];
        Assert.Equal(3, peru.Asked);
        Assert.Contains("peru", peru.Terms, StringComparison.Ordinal);
        Assert.Equal("What is the capital of Peru?", peru.Example);
        Assert.Equal(2, report.CoverageGaps.Count);
        Assert.Equal(new AuditReport.Topic("widget.md", 2, 1, 1), report.TopTopics[0]);
        Assert.Equal(2, report.PositiveFeedback);
        Assert.Equal(1, report.NegativeFeedback);
        Assert.Equal(2.0 / 3, report.FeedbackRatio!.Value, 6);
        Assert.Equal("How tall is Everest?", report.SlowestAnswers[0].Question);
        Assert.Equal(12.25, report.SlowestAnswers[1].LatencyMs);
        Assert.Equal("rate limited (user)", Assert.Single(report.RefusalReasons).Name);

        var json = JsonNode.Parse(ReportCommand.Json(report))!;
        Assert.Equal(3, json["coverage_gaps"]![0]!["asked"]!.GetValue<int>());
        Assert.Equal(0.6667, json["feedback"]!["positive_ratio"]!.GetValue<double>());

        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        ReportCommand.Print(report, console);
        var output = writer.ToString();
        Assert.Contains("Coverage gaps", output, StringComparison.Ordinal);
        Assert.Contains("What is the capital of Peru?", output, StringComparison.Ordinal);
        Assert.Contains("widget.md", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_JsonlAndCsv_CarryEveryFieldAndDefuseFormulas()
    {
        using var corpus = new TestCorpus();
        await using var store = await SeededStoreAsync(corpus);
        var records = new List<AuditRecord>();
        await foreach (var r in store.ReadAuditAsync(T0.AddMinutes(1), CancellationToken.None))
        {
            records.Add(r);
        }

        Assert.Equal(7, records.Count);
        var line = JsonNode.Parse(AuditExport.Json(records[0]))!;
        Assert.Equal("a2", line["answer_id"]!.GetValue<string>());
        Assert.Equal("answered", line["outcome"]!.GetValue<string>());
        Assert.Equal("widget.md#2", line["cited_passage_ids"]![0]!.GetValue<string>());
        Assert.Equal("wrong article", line["feedback"]![0]!["comment"]!.GetValue<string>());
        Assert.Equal("negative", line["feedback"]![0]!["reaction"]!.GetValue<string>());
        Assert.Equal(12.25, line["latency_ms"]!.GetValue<double>());

        var csv = AuditExport.Csv(records[^1]);
        Assert.Contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\"", csv, StringComparison.Ordinal);
        Assert.StartsWith("c1,2026-11-01T09:07:00.0000000Z,discord,g1,c1,abc,", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-01-31", "2026-01-31T00:00:00.0000000+00:00")]
    [InlineData("2026-01-31T12:30:00Z", "2026-01-31T12:30:00.0000000+00:00")]
    [InlineData("2026-01-31T12:30:00+02:00", "2026-01-31T10:30:00.0000000+00:00")]
    public void ParseSince_DatesAndDateTimes_Utc(string text, string expected) =>
        Assert.Equal(expected, AuditStoreAccess.ParseSince(text)!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ParseSince_Garbage_Null() => Assert.Null(AuditStoreAccess.ParseSince("last tuesday"));
}
