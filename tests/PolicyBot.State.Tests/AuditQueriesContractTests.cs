using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Tests;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), passed by both stores.</summary>
public abstract partial class BotStoreContractTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task ReadAuditPointsAsync_Range_ReturnsOnlyQuestionsInsideItOldestFirst()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("before", Day0.AddTicks(-10), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("second", Day0.AddHours(5), AnswerOutcome.Abstained, latency: 7.5), Ct);
        await Store.RecordQuestionAsync(Record("first", Day0, AnswerOutcome.Answered, platform: "teams", latency: 2), Ct);
        await Store.RecordQuestionAsync(Record("at-end", Day0.AddDays(1), AnswerOutcome.Refused), Ct);

        var points = await ToListAsync(Store.ReadAuditPointsAsync(Day0, Day0.AddDays(1), Ct));

        Assert.Equal(2, points.Count);
        Assert.Equal(new AuditPoint(Day0, "teams", AnswerOutcome.Answered, 2), points[0]);
        Assert.Equal(new AuditPoint(Day0.AddHours(5), "discord", AnswerOutcome.Abstained, 7.5), points[1]);
    }

    [StoreFact]
    public async Task ReadFeedbackPointsAsync_DatedByTheQuestion_OnePointPerReaction()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("q1", Day0.AddHours(1), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("old", Day0.AddDays(-3), AnswerOutcome.Answered), Ct);
        await Store.RecordAsync(new Feedback("q1", "discord", "u1", FeedbackReaction.Positive, null, Day0.AddDays(2)), Ct);
        await Store.RecordAsync(new Feedback("q1", "discord", "u2", FeedbackReaction.Negative, "wrong", Day0.AddDays(2)), Ct);
        await Store.RecordAsync(new Feedback("old", "discord", "u1", FeedbackReaction.Negative, null, Day0.AddHours(2)), Ct);

        var points = await ToListAsync(Store.ReadFeedbackPointsAsync(Day0, Day0.AddDays(1), Ct));

        Assert.Equal(2, points.Count);
        Assert.All(points, p => Assert.Equal(Day0.AddHours(1), p.QuestionAt));
        Assert.Equal([FeedbackReaction.Positive, FeedbackReaction.Negative], points.Select(p => p.Reaction).Order());
    }

    [StoreFact]
    public async Task QueryAuditAsync_CoverageGaps_AbstentionsAndLowConfidenceAnswersNewestFirst()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("abstained", Day0.AddHours(1), AnswerOutcome.Abstained) with { SuggestedTopics = ["hosting"] }, Ct);
        await Store.RecordQuestionAsync(Record("unsure", Day0.AddHours(2), AnswerOutcome.Answered) with { Confidence = 0.2 }, Ct);
        await Store.RecordQuestionAsync(Record("sure", Day0.AddHours(3), AnswerOutcome.Answered) with { Confidence = 0.9 }, Ct);
        await Store.RecordQuestionAsync(Record("unknown-confidence", Day0.AddHours(4), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("refused", Day0.AddHours(5), AnswerOutcome.Refused), Ct);
        await Store.RecordQuestionAsync(Record("other-platform", Day0.AddHours(6), AnswerOutcome.Abstained, platform: "teams"), Ct);

        var gaps = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.CoverageGaps, From = Day0, To = Day0.AddDays(1), ConfidenceBelow = 0.5 }, Ct);
        var discord = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.CoverageGaps, Platform = "discord", Limit = 1 }, Ct);

        Assert.Equal(["other-platform", "unsure", "abstained"], gaps.Select(r => r.AnswerId));
        Assert.Equal(["hosting"], gaps[2].SuggestedTopics);
        Assert.Equal("unsure", Assert.Single(discord).AnswerId);
    }

    [StoreFact]
    public async Task QueryAuditAsync_NegativeFeedback_OnlyRatedDownWithTheirFeedback()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("liked", Day0.AddHours(1), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("disliked", Day0.AddHours(2), AnswerOutcome.Answered) with { AnswerText = "Quoted [1]", CitedPassageIds = ["a.md#1"] }, Ct);
        await Store.RecordQuestionAsync(Record("unrated", Day0.AddHours(3), AnswerOutcome.Answered), Ct);
        await Store.RecordAsync(new Feedback("liked", "discord", "u1", FeedbackReaction.Positive, null, Day0.AddHours(4)), Ct);
        await Store.RecordAsync(new Feedback("disliked", "discord", "u1", FeedbackReaction.Negative, "<b>wrong</b>", Day0.AddHours(4)), Ct);
        await Store.RecordAsync(new Feedback("disliked", "discord", "u2", FeedbackReaction.Positive, null, Day0.AddHours(5)), Ct);

        var down = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.NegativeFeedback, From = Day0, To = Day0.AddDays(1) }, Ct);
        var none = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.NegativeFeedback, Platform = "teams" }, Ct);

        var only = Assert.Single(down);
        Assert.Equal("disliked", only.AnswerId);
        Assert.Equal("Quoted [1]", only.AnswerText);
        Assert.Equal(["a.md#1"], only.CitedPassageIds);
        Assert.Equal(2, only.Feedback.Count);
        Assert.Equal("<b>wrong</b>", only.Feedback[0].Comment);
        Assert.Empty(none);
    }

    private static AuditRecord Record(string id, DateTimeOffset at, AnswerOutcome outcome, string platform = "discord", double latency = 1) => new()
    {
        AnswerId = id,
        At = at,
        Platform = platform,
        Question = "question " + id,
        Outcome = outcome,
        LatencyMs = latency,
        CorpusVersion = "v1",
    };

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
