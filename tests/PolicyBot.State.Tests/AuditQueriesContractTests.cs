using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Tests;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), passed by both stores.</summary>
public abstract partial class BotStoreContractTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task CountAuditByDayAsync_Range_CountsPerUtcDayPlatformAndOutcome()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("before", Day0.AddTicks(-10), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("a", Day0, AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("b", Day0.AddHours(23).AddMinutes(59).AddSeconds(59.9), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("c", Day0.AddHours(5), AnswerOutcome.Abstained, platform: "teams"), Ct);
        await Store.RecordQuestionAsync(Record("d", Day0.AddDays(1).AddHours(1), AnswerOutcome.Refused), Ct);
        await Store.RecordQuestionAsync(Record("at-end", Day0.AddDays(2), AnswerOutcome.Refused), Ct);

        var counts = await Store.CountAuditByDayAsync(Day(0), Day(2), Ct);

        var first = DateOnly.FromDateTime(Day0.UtcDateTime);
        Assert.Equal(
            [new AuditDayCount(first, "discord", AnswerOutcome.Answered, 2), new AuditDayCount(first, "teams", AnswerOutcome.Abstained, 1), new AuditDayCount(first.AddDays(1), "discord", AnswerOutcome.Refused, 1)],
            counts.OrderBy(c => c.Day).ThenBy(c => c.Platform, StringComparer.Ordinal));
    }

    [StoreFact]
    public async Task ReadLatenciesAsync_Range_AnsweredAndAbstainedOnlyWithTheirDay()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("a", Day0.AddHours(1), AnswerOutcome.Answered, latency: 2.5), Ct);
        await Store.RecordQuestionAsync(Record("b", Day0.AddDays(1).AddHours(1), AnswerOutcome.Abstained, platform: "teams", latency: 7), Ct);
        await Store.RecordQuestionAsync(Record("refused", Day0.AddHours(2), AnswerOutcome.Refused, latency: 0.1), Ct);
        await Store.RecordQuestionAsync(Record("outside", Day0.AddDays(-1), AnswerOutcome.Answered, latency: 9), Ct);

        var points = await Store.ReadLatenciesAsync(Day(0), Day(2), Ct);

        var first = DateOnly.FromDateTime(Day0.UtcDateTime);
        Assert.Equal([new LatencyPoint(first, "discord", 2.5), new LatencyPoint(first.AddDays(1), "teams", 7)], points.OrderBy(p => p.Day));
    }

    [StoreFact]
    public async Task QueryFeedbackAsync_RecordingOrderRangeAndLimit_WithOrWithoutAnAuditedQuestion()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("q1", Day0, AnswerOutcome.Answered), Ct);
        // Recorded out of time order: the read keeps the order of recording.
        await Store.RecordAsync(new Feedback("q1", "discord", "u1", FeedbackReaction.Positive, null, Day0.AddHours(3)), Ct);
        await Store.RecordAsync(new Feedback("never-audited", "teams", null, FeedbackReaction.Negative, "ungültig — 不对 <b>", Day0.AddHours(1)), Ct);
        await Store.RecordAsync(new Feedback("q1", "discord", "u2", FeedbackReaction.Negative, null, Day0.AddDays(5)), Ct);

        var all = await Store.QueryFeedbackAsync(null, null, 100, Ct);
        Assert.Equal(["q1", "never-audited", "q1"], all.Select(f => f.AnswerId));
        var stranger = all[1];
        Assert.Equal(("teams", (string?)null, FeedbackReaction.Negative, "ungültig — 不对 <b>", Day0.AddHours(1)), (stranger.Platform, stranger.UserId, stranger.Reaction, stranger.Comment, stranger.At));
        Assert.Equal(Hasher.Hash("u1"), all[0].UserId); // stored hashed, read back as stored

        var inRange = await Store.QueryFeedbackAsync(Day0, Day0.AddDays(1), 100, Ct);
        Assert.Equal([Day0.AddHours(3), Day0.AddHours(1)], inRange.Select(f => f.At));
        Assert.Equal(["q1"], (await Store.QueryFeedbackAsync(null, null, 1, Ct)).Select(f => f.AnswerId));
        Assert.Empty(await Store.QueryFeedbackAsync(Day0.AddDays(10), null, 100, Ct));
    }

    [StoreFact]
    public async Task CountFeedbackByDayAsync_DatedByTheQuestion()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("q1", Day0.AddHours(1), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("old", Day0.AddDays(-3), AnswerOutcome.Answered), Ct);
        await Store.RecordAsync(new Feedback("q1", "discord", "u1", FeedbackReaction.Positive, null, Day0.AddDays(2)), Ct);
        await Store.RecordAsync(new Feedback("q1", "discord", "u2", FeedbackReaction.Negative, "wrong", Day0.AddDays(2)), Ct);
        await Store.RecordAsync(new Feedback("q1", "discord", "u3", FeedbackReaction.Negative, null, Day0.AddDays(3)), Ct);
        await Store.RecordAsync(new Feedback("old", "discord", "u1", FeedbackReaction.Negative, null, Day0.AddHours(2)), Ct);

        var counts = await Store.CountFeedbackByDayAsync(Day(0), Day(1), Ct);

        var day = DateOnly.FromDateTime(Day0.UtcDateTime);
        Assert.Equal([new FeedbackDayCount(day, "discord", FeedbackReaction.Positive, 1), new FeedbackDayCount(day, "discord", FeedbackReaction.Negative, 2)], counts.OrderBy(c => c.Reaction));
    }

    [StoreFact]
    public async Task QueryAuditAsync_CoverageGaps_AbstentionsAndLowConfidenceAnswersNewestFirst()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("abstained", Day0.AddHours(1), AnswerOutcome.Abstained) with { SuggestedTopics = ["hosting"] }, Ct);
        await Store.RecordQuestionAsync(Record("unsure", Day0.AddHours(2), AnswerOutcome.Answered) with { Confidence = "Low" }, Ct);
        await Store.RecordQuestionAsync(Record("sure", Day0.AddHours(3), AnswerOutcome.Answered) with { Confidence = "High" }, Ct);
        await Store.RecordQuestionAsync(Record("unknown-confidence", Day0.AddHours(4), AnswerOutcome.Answered), Ct);
        await Store.RecordQuestionAsync(Record("refused", Day0.AddHours(5), AnswerOutcome.Refused), Ct);
        await Store.RecordQuestionAsync(Record("other-platform", Day0.AddHours(6), AnswerOutcome.Abstained, platform: "teams"), Ct);

        var gaps = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.CoverageGaps, From = Day0, To = Day0.AddDays(1) }, Ct);
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
        var bare = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.NegativeFeedback, IncludeFeedback = false }, Ct);
        var none = await Store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.NegativeFeedback, Platform = "teams" }, Ct);

        var only = Assert.Single(down);
        Assert.Equal("disliked", only.AnswerId);
        Assert.Equal("Quoted [1]", only.AnswerText);
        Assert.Equal(["a.md#1"], only.CitedPassageIds);
        Assert.Equal(2, only.Feedback.Count);
        Assert.Equal("<b>wrong</b>", only.Feedback[0].Comment);
        Assert.Empty(none);
        Assert.Empty(Assert.Single(bare).Feedback);
    }

    private static DateOnly Day(int offset) => DateOnly.FromDateTime(Day0.UtcDateTime).AddDays(offset);

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
}
