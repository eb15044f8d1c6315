using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Search.Analysis;

namespace PolicyBot.State.Tests;

/// <summary>Main terms stored with each record, grouped coverage gaps, bulk writes and the backfill — passed by both stores.</summary>
public abstract partial class BotStoreContractTests
{
    private static readonly DateTimeOffset GapDay = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task GroupCoverageGapsAsync_AbstainedAndLowConfidence_GroupedByStoredTermsBiggestFirst()
    {
        await Store.MigrateAsync(Ct);
        var records = new List<AuditRecord>
        {
            Gap("p1", GapDay.AddHours(1), AnswerOutcome.Abstained, "capit peru", "What is the capital of Peru?", ["geography"]),
            Gap("p2", GapDay.AddHours(2), AnswerOutcome.Abstained, "capit peru", "Peru's capital?", ["geography", "travel"]),
            Gap("p3", GapDay.AddHours(3), AnswerOutcome.Answered, "capit peru", "capital of peru", [], confidence: "Low"),
            Gap("k1", GapDay.AddHours(4), AnswerOutcome.Abstained, "kenya tax", "Kenya tax rules?", ["tax"]),
            Gap("k2", GapDay.AddHours(5), AnswerOutcome.Answered, "kenya tax", "kenya taxes", [], confidence: "Low"),
            Gap("c1", GapDay.AddHours(6), AnswerOutcome.Abstained, "数据 出境", "数据出境的规定是什么？", []),

            // Not gaps: answered with medium, high or no confidence; refused; outside the range.
            Gap("m1", GapDay.AddHours(7), AnswerOutcome.Answered, "capit peru", "capital peru?", [], confidence: "Medium"),
            Gap("h1", GapDay.AddHours(8), AnswerOutcome.Answered, "capit peru", "peru capital", [], confidence: "High"),
            Gap("n1", GapDay.AddHours(9), AnswerOutcome.Answered, "capit peru", "peru capital!", []),
            Gap("r1", GapDay.AddHours(10), AnswerOutcome.Refused, "capit peru", "peru capital?!", []),
            Gap("before", GapDay.AddTicks(-10), AnswerOutcome.Abstained, "capit peru", "old", []),
            Gap("at-end", GapDay.AddDays(1), AnswerOutcome.Abstained, "capit peru", "next day", []),
        };
        Assert.Equal(records.Count, await Store.RecordQuestionsAsync(records, Ct));

        var gaps = await Store.GroupCoverageGapsAsync(GapDay, GapDay.AddDays(1), top: 2, samples: 2, Ct);

        Assert.Equal(6, gaps.Questions);
        Assert.Equal(3, gaps.GroupCount);
        Assert.Equal(["capit peru", "kenya tax"], gaps.Groups.Select(g => g.Terms));
        var peru = gaps.Groups[0];
        Assert.Equal((3, 2, 1), (peru.Asked, peru.Abstained, peru.LowConfidence));
        Assert.Equal(StoreValues.Truncate(GapDay.AddHours(3)), peru.LastAsked);
        Assert.Equal(["capital of peru", "Peru's capital?"], peru.Newest.Select(s => s.Question)); // newest first, at most 2
        Assert.Equal(["geography", "travel"], peru.Newest[1].SuggestedTopics);
        Assert.Equal((2, 1, 1), (gaps.Groups[1].Asked, gaps.Groups[1].Abstained, gaps.Groups[1].LowConfidence));

        var all = await Store.GroupCoverageGapsAsync(GapDay, GapDay.AddDays(1), top: 50, samples: 20, Ct);
        var chinese = Assert.Single(all.Groups, g => g.Terms == "数据 出境");
        Assert.Equal("数据出境的规定是什么？", Assert.Single(chinese.Newest).Question);
    }

    [StoreFact]
    public async Task GroupCoverageGapsAsync_EqualCounts_MostRecentlyAskedFirst_EmptyRangeHasNone()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Gap("a", GapDay.AddHours(1), AnswerOutcome.Abstained, "older", "older?", []), Ct);
        await Store.RecordQuestionAsync(Gap("b", GapDay.AddHours(2), AnswerOutcome.Abstained, "newer", "newer?", []), Ct);
        await Store.RecordQuestionAsync(Gap("hostile", GapDay.AddHours(3), AnswerOutcome.Abstained, "'); DROP TABLE audit; --", "<script>alert(1)</script>", []), Ct);

        var gaps = await Store.GroupCoverageGapsAsync(GapDay, GapDay.AddDays(1), 10, 5, Ct);
        var none = await Store.GroupCoverageGapsAsync(GapDay.AddDays(5), GapDay.AddDays(6), 10, 5, Ct);

        Assert.Equal(["'); DROP TABLE audit; --", "newer", "older"], gaps.Groups.Select(g => g.Terms));
        Assert.Equal("<script>alert(1)</script>", gaps.Groups[0].Newest[0].Question);
        Assert.Equal((0, 0), (none.Questions, none.GroupCount));
        Assert.Empty(none.Groups);
    }

    [StoreFact]
    public async Task FillMainTermsAsync_RecordsWithoutTerms_FilledInBatchesByTheRealAnalysis_RefusalsLeftAlone()
    {
        await Store.MigrateAsync(Ct);

        // Records as schema version 3 wrote them: no main terms.
        var legacy = Enumerable.Range(0, 5).Select(i => Gap($"old{i}", GapDay.AddHours(i), AnswerOutcome.Abstained, null, $"What is the capital of Peru ({i})?", [])).ToList();
        legacy.Add(Gap("refused", GapDay.AddHours(6), AnswerOutcome.Refused, null, "too long", []));
        legacy.Add(Gap("kept", GapDay.AddHours(7), AnswerOutcome.Abstained, "already set", "Kenya tax?", []));
        await Store.RecordQuestionsAsync(legacy, Ct);

        Assert.Equal(3, await Store.FillMainTermsAsync(QuestionTerms.Default, 3, Ct));
        Assert.Equal(2, await Store.FillMainTermsAsync(QuestionTerms.Default, 3, Ct));
        Assert.Equal(0, await Store.FillMainTermsAsync(QuestionTerms.Default, 3, Ct));

        var read = (await ReadAllAsync(Store, null)).ToDictionary(r => r.AnswerId);
        var expected = QuestionTerms.Default.MainTerms("What is the capital of Peru (0)?");
        Assert.Equal("capit peru", expected);
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(expected, read[$"old{i}"].MainTerms));
        Assert.Null(read["refused"].MainTerms);
        Assert.Equal("already set", read["kept"].MainTerms);
        var gaps = await Store.GroupCoverageGapsAsync(GapDay, GapDay.AddDays(1), 10, 10, Ct);
        Assert.Equal(5, gaps.Groups.Single(g => g.Terms == expected).Asked);
    }

    [StoreFact]
    public async Task RecordQuestionsAsync_ManyAtOnce_StoredOnceEachDuplicatesKeptFirst()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Gap("bulk-0007", GapDay, AnswerOutcome.Answered, "first", "first write", []), Ct);
        var bulk = Enumerable.Range(0, 1203)
            .Select(i => Gap($"bulk-{i:D4}", GapDay.AddSeconds(i), i % 3 == 0 ? AnswerOutcome.Abstained : AnswerOutcome.Answered, "t" + (i % 7), "q" + i, i % 3 == 0 ? ["topic"] : []))
            .ToList();

        var added = await Store.RecordQuestionsAsync(bulk, Ct);

        Assert.Equal(1202, added);
        var read = await ReadAllAsync(Store, null);
        Assert.Equal(1203, read.Count);
        Assert.Equal("first write", read.Single(r => r.AnswerId == "bulk-0007").Question);
        Assert.Equal(0, await Store.RecordQuestionsAsync([], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.RecordQuestionsAsync([Gap("", GapDay, AnswerOutcome.Answered, null, "no id", [])], Ct));
    }

    [StoreFact]
    public async Task OptimizeAsync_AfterABulkLoad_GivesThePlannerStatisticsAndKeepsEveryRecord()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionsAsync(Enumerable.Range(0, 30).Select(i => Gap($"o{i}", GapDay.AddMinutes(i), AnswerOutcome.Abstained, "t" + (i % 3), "q" + i, [])).ToList(), Ct);
        Assert.Equal(-1, await ReadAuditRowEstimateAsync(Ct));

        await Store.OptimizeAsync(Ct);
        await Store.OptimizeAsync(Ct);

        Assert.Equal(30, await ReadAuditRowEstimateAsync(Ct));
        Assert.Equal(30, (await ReadAllAsync(Store, null)).Count);
        Assert.Equal(30, (await Store.GroupCoverageGapsAsync(GapDay, GapDay.AddDays(1), 10, 1, Ct)).Questions);
    }

    [StoreFact]
    public async Task DayCounts_KeptByTheDatabase_ThroughDuplicatesBulkWritesUnlinkedReactionsAndPrunes()
    {
        await Store.MigrateAsync(Ct);
        var day = DateOnly.FromDateTime(GapDay.UtcDateTime);
        await Store.RecordQuestionAsync(Gap("a", GapDay.AddHours(1), AnswerOutcome.Answered, null, "q", []), Ct);
        await Store.RecordQuestionAsync(Gap("a", GapDay.AddHours(1), AnswerOutcome.Answered, null, "again", []), Ct); // kept once
        await Store.RecordQuestionsAsync([Gap("b", GapDay.AddHours(2), AnswerOutcome.Answered, null, "q", []), Gap("c", GapDay.AddDays(1), AnswerOutcome.Abstained, null, "q", []), Gap("a", GapDay, AnswerOutcome.Refused, null, "dup", [])], Ct);
        await Store.RecordAsync(new Feedback("a", "discord", "u1", FeedbackReaction.Negative, null, GapDay.AddDays(3)), Ct);
        await Store.RecordAsync(new Feedback("c", "discord", "u1", FeedbackReaction.Positive, null, GapDay.AddDays(3)), Ct);
        await Store.RecordAsync(new Feedback("never-audited", "discord", "u1", FeedbackReaction.Negative, null, GapDay.AddDays(3)), Ct);

        Assert.Equal([new AuditDayCount(day, "discord", AnswerOutcome.Answered, 2), new AuditDayCount(day.AddDays(1), "discord", AnswerOutcome.Abstained, 1)], (await Store.CountAuditByDayAsync(day, day.AddDays(2), Ct)).OrderBy(c => c.Day));
        Assert.Equal([new FeedbackDayCount(day, "discord", FeedbackReaction.Negative, 1), new FeedbackDayCount(day.AddDays(1), "discord", FeedbackReaction.Positive, 1)], (await Store.CountFeedbackByDayAsync(day, day.AddDays(2), Ct)).OrderBy(c => c.Day));

        // The first day goes: its questions and the reactions to them.
        await Store.PruneAsync(GapDay.AddDays(1), Ct);

        Assert.Equal([new AuditDayCount(day.AddDays(1), "discord", AnswerOutcome.Abstained, 1)], await Store.CountAuditByDayAsync(day, day.AddDays(2), Ct));
        Assert.Equal([new FeedbackDayCount(day.AddDays(1), "discord", FeedbackReaction.Positive, 1)], await Store.CountFeedbackByDayAsync(day, day.AddDays(2), Ct));
    }

    private static AuditRecord Gap(string id, DateTimeOffset at, AnswerOutcome outcome, string? terms, string question, IReadOnlyList<string> topics, string? confidence = null) => new()
    {
        AnswerId = id,
        At = at,
        Platform = "discord",
        Question = question,
        Outcome = outcome,
        Confidence = confidence,
        MainTerms = terms,
        SuggestedTopics = topics,
        CorpusVersion = "v1",
        LatencyMs = 1,
    };
}
