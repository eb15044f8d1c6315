using System.Text;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Tests;

/// <summary>
/// The one suite both stores pass. Each test gets fresh backing storage (a SQLite file in a temp folder, or a
/// fresh PostgreSQL schema) and may open several store instances over it, standing in for several processes.
/// </summary>
public abstract partial class BotStoreContractTests : IAsyncLifetime
{
    protected static readonly UserIdHasher Hasher = UserIdHasher.WithSalt("store-tests-salt-0123456789");

    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>Every schema version this build knows, in order (both dialects share the numbering).</summary>
    private static readonly int[] KnownVersions = [1, 2, 3, 4, 5];

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly List<IBotStore> _stores = [];

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>The first store instance, not yet migrated.</summary>
    protected IBotStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await PrepareBackingAsync(Ct);
        Store = Open();
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await CleanUpBackingAsync();
        _timeout.Dispose();
    }

    /// <summary>Creates the empty backing storage for this test.</summary>
    protected abstract Task PrepareBackingAsync(CancellationToken cancellationToken);

    /// <summary>A new store instance over this test's backing storage.</summary>
    protected abstract IBotStore OpenStore();

    protected abstract Task CleanUpBackingAsync();

    /// <summary>The rows of <c>schema_migrations</c>, read without the store.</summary>
    protected abstract Task<IReadOnlyList<int>> ReadMigrationVersionsAsync(CancellationToken cancellationToken);

    /// <summary>The planner's estimate of the audit table's rows (-1 before any statistics), read without the store.</summary>
    protected abstract Task<long> ReadAuditRowEstimateAsync(CancellationToken cancellationToken);

    /// <summary>All feedback rows, linked or not, read without the store.</summary>
    protected abstract Task<long> CountFeedbackRowsAsync(CancellationToken cancellationToken);

    [StoreFact]
    public async Task MigrateAsync_CalledTwice_IsIdempotent()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("a1", T0), Ct);
        await Store.MigrateAsync(Ct);

        Assert.Equal(KnownVersions, await ReadMigrationVersionsAsync(Ct));
        var only = Assert.Single(await ReadAllAsync(Store, null));
        Assert.Equal("a1", only.AnswerId);
    }

    [StoreFact]
    public async Task MigrateAsync_FromSeveralStoresAtOnce_AppliesEachVersionOnce()
    {
        var stores = new List<IBotStore> { Store };
        for (var i = 0; i < 5; i++)
        {
            stores.Add(Open());
        }

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(Ct))));

        Assert.Equal(KnownVersions, await ReadMigrationVersionsAsync(Ct));
        for (var i = 0; i < stores.Count; i++)
        {
            await stores[i].RecordQuestionAsync(Record($"a{i}", T0.AddSeconds(i)), Ct);
        }

        Assert.Equal(stores.Count, (await ReadAllAsync(stores[^1], null)).Count);
    }

    [StoreFact]
    public async Task RecordQuestionAsync_EveryField_RoundTrips()
    {
        await Store.MigrateAsync(Ct);
        var full = new AuditRecord
        {
            AnswerId = "ans-0001",
            At = new DateTimeOffset(2026, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567),
            Platform = "discord",
            ServerId = "guild-111",
            ChannelId = "chan-222",
            UserHash = Hasher.Hash("user-333"),
            Question = "What does Article 5 prohibit?",
            Outcome = AnswerOutcome.Abstained,
            Reason = "no passage above the threshold",
            CitedPassageIds = ["eu-ai-act#art5-1", "nist-rmf#gov-1.2", "eu-ai-act#art5-1-a"],
            CorpusVersion = "build-42+git:abc123",
            LatencyMs = 123.456,
            AnswerText = "The corpus does not cover Article 5 yet.",
            SuggestedTopics = ["hosting", "EU AI Act"],
            Confidence = "Low",
            MainTerms = "articl prohibit",
        };
        var sparse = new AuditRecord
        {
            AnswerId = "ans-0002",
            At = T0.AddMinutes(1),
            Platform = "teams",
            Question = "",
            Outcome = AnswerOutcome.Refused,
        };

        await Store.RecordQuestionAsync(full, Ct);
        await Store.RecordQuestionAsync(sparse, Ct);
        var read = await ReadAllAsync(Store, null);

        Assert.Equal(2, read.Count);
        AssertSameRecord(full, read[0]);
        Assert.Equal(TimeSpan.Zero, read[0].At.Offset);
        Assert.Equal(full.At.AddTicks(-7), read[0].At); // microsecond precision in both stores
        AssertSameRecord(sparse, read[1]);
        Assert.Null(read[1].ServerId);
        Assert.Null(read[1].ChannelId);
        Assert.Null(read[1].UserHash);
        Assert.Null(read[1].Reason);
        Assert.Empty(read[1].CitedPassageIds);
        Assert.Equal("", read[1].CorpusVersion);
        Assert.Empty(read[1].Feedback);
    }

    [StoreFact]
    public async Task RecordQuestionAsync_UnicodeAndHugeText_RoundTripsExactly()
    {
        await Store.MigrateAsync(Ct);
        var huge = new StringBuilder();
        while (huge.Length < 10_000)
        {
            huge.Append("é語🤖 a\u0301");
        }

        string[] questions =
        [
            "人工智能法案第五条禁止什么？",
            "AI法の第5条は何を禁止していますか？ 인공지능 법",
            "Is 🤖👍🏽 allowed? 👨‍👩‍👧 🏳️‍🌈",
            "ما الذي تحظره المادة 5؟ (RTL) עברית",
            "zero\u200bwidth\u200djoiner \ufeffbom e\u0301 \U0001D54F",
            "tabs\tand\nnewlines\r\nand \u0001\u001b[31mescapes\u007f",
            huge.ToString(0, 10_000),
        ];
        for (var i = 0; i < questions.Length; i++)
        {
            await Store.RecordQuestionAsync(Record($"u{i}", T0.AddSeconds(i), questions[i]) with { Reason = questions[i], ServerId = questions[i] }, Ct);
        }

        var read = await ReadAllAsync(Store, null);

        Assert.Equal(questions, read.Select(r => r.Question));
        Assert.Equal(questions, read.Select(r => r.Reason));
        Assert.Equal(questions, read.Select(r => r.ServerId));
        Assert.Equal(10_000, read[^1].Question.Length);
    }

    [StoreFact]
    public async Task RecordQuestionAsync_HostileStrings_StoredVerbatimAndHarmless()
    {
        await Store.MigrateAsync(Ct);
        string[] hostile =
        [
            "'; DROP TABLE audit; --",
            "\" OR \"\"=\"",
            "Robert'); DROP TABLE feedback;--",
            "' || (SELECT version()) || '",
            "\\'; SELECT pg_sleep(10); --",
            "$1 $answer_id @answer_id :name ? ?1",
            "100% _under_ \\back\\slash E'\\x41'",
            "NULL",
            "'); DELETE FROM schema_migrations; SELECT ('",
            "NEAR(eu ai) OR \"act\"* AND -x {col}:y ^z",
            "<@123456> <at>PolicyBot</at> @everyone",
            "$$ dollar $$ $tag$ body $tag$",
        ];
        for (var i = 0; i < hostile.Length; i++)
        {
            var record = new AuditRecord
            {
                AnswerId = hostile[i],
                At = T0.AddSeconds(i),
                Platform = hostile[i],
                ServerId = hostile[i],
                ChannelId = hostile[i],
                UserHash = hostile[i],
                Question = hostile[i],
                Outcome = AnswerOutcome.Answered,
                Reason = hostile[i],
                CitedPassageIds = [hostile[i], "[\"json\"]", "{\"a\":1}"],
                CorpusVersion = hostile[i],
            };
            await Store.RecordQuestionAsync(record, Ct);
            await Store.RecordAsync(new Feedback(hostile[i], hostile[i], null, FeedbackReaction.Negative, hostile[i], T0.AddSeconds(i)), Ct);
            await Store.SetAnswerChannelsAsync(hostile[i], hostile[i], [hostile[i], "ok"], Ct);
        }

        var read = await ReadAllAsync(Store, null);

        Assert.Equal(hostile, read.Select(r => r.AnswerId));
        for (var i = 0; i < hostile.Length; i++)
        {
            Assert.Equal(hostile[i], read[i].Question);
            Assert.Equal(hostile[i], read[i].Platform);
            Assert.Equal(hostile[i], read[i].UserHash);
            Assert.Equal(hostile[i], read[i].CorpusVersion);
            Assert.Equal([hostile[i], "[\"json\"]", "{\"a\":1}"], read[i].CitedPassageIds);
            Assert.Equal(hostile[i], Assert.Single(read[i].Feedback).Comment);
            Assert.Equal([hostile[i], "ok"], await Store.GetAnswerChannelsAsync(hostile[i], hostile[i], Ct));
        }

        Assert.Equal(KnownVersions, await ReadMigrationVersionsAsync(Ct));
        Assert.Equal(hostile.Length, await CountFeedbackRowsAsync(Ct));
    }

    [StoreFact]
    public async Task RecordQuestionAsync_NulAndLoneSurrogates_BecomeReplacementCharacters()
    {
        await Store.MigrateAsync(Ct);

        await Store.RecordQuestionAsync(Record("nul", T0, "a\0b\uD800c\uDC00d🤖") with { Reason = "\0" }, Ct);

        var read = Assert.Single(await ReadAllAsync(Store, null));
        Assert.Equal("a\uFFFDb\uFFFDc\uFFFDd🤖", read.Question);
        Assert.Equal("\uFFFD", read.Reason);
    }

    [StoreFact]
    public async Task RecordQuestionAsync_SameAnswerIdTwice_KeepsTheFirst()
    {
        await Store.MigrateAsync(Ct);

        await Store.RecordQuestionAsync(Record("dup", T0, "first"), Ct);
        await Store.RecordQuestionAsync(Record("dup", T0.AddSeconds(1), "second"), Ct);

        Assert.Equal("first", Assert.Single(await ReadAllAsync(Store, null)).Question);
    }

    [StoreFact]
    public async Task ReadAuditAsync_Since_ReturnsRecordsAtOrAfterIt()
    {
        await Store.MigrateAsync(Ct);
        for (var i = 0; i < 4; i++)
        {
            await Store.RecordQuestionAsync(Record($"s{i}", T0.AddHours(i)), Ct);
        }

        Assert.Equal(["s0", "s1", "s2", "s3"], Ids(await ReadAllAsync(Store, null)));
        Assert.Equal(["s0", "s1", "s2", "s3"], Ids(await ReadAllAsync(Store, T0.AddYears(-1))));
        Assert.Equal(["s1", "s2", "s3"], Ids(await ReadAllAsync(Store, T0.AddHours(1))));
        Assert.Equal(["s1", "s2", "s3"], Ids(await ReadAllAsync(Store, T0.AddHours(1).ToOffset(TimeSpan.FromHours(-5)))));
        Assert.Equal(["s3"], Ids(await ReadAllAsync(Store, T0.AddHours(2).AddTicks(10))));
        Assert.Empty(await ReadAllAsync(Store, T0.AddHours(3).AddTicks(10)));
    }

    [StoreFact]
    public async Task ReadAuditAsync_RecordedOutOfOrder_ReturnsOldestFirst()
    {
        await Store.MigrateAsync(Ct);
        int[] minutes = [5, 1, 4, 2, 3, 0];
        foreach (var minute in minutes)
        {
            await Store.RecordQuestionAsync(Record($"m{minute}", T0.AddMinutes(minute)), Ct);
        }

        // Same instant: ties come back in answer id order.
        await Store.RecordQuestionAsync(Record("m3-b", T0.AddMinutes(3)), Ct);
        await Store.RecordQuestionAsync(Record("m3-a", T0.AddMinutes(3)), Ct);

        Assert.Equal(["m0", "m1", "m2", "m3", "m3-a", "m3-b", "m4", "m5"], Ids(await ReadAllAsync(Store, null)));
    }

    [StoreFact]
    public async Task ReadAuditAsync_MoreThanOnePage_ReturnsEveryRecordOnceInOrderWithFeedback()
    {
        await Store.MigrateAsync(Ct);
        const int count = StoreValues.AuditPageSize * 2 + 37;
        var order = Enumerable.Range(0, count).ToArray();
        new Random(1234).Shuffle(order);
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            // Pairs share an instant so page boundaries fall inside ties.
            await Store.RecordQuestionAsync(Record($"p{i:D5}", T0.AddSeconds(i / 2)), ct);
        });
        int[] withFeedback = [0, StoreValues.AuditPageSize - 1, StoreValues.AuditPageSize, StoreValues.AuditPageSize + 1, count - 1];
        foreach (var i in withFeedback)
        {
            await Store.RecordAsync(new Feedback($"p{i:D5}", "discord", $"user{i}", FeedbackReaction.Positive, null, T0.AddDays(1)), Ct);
        }

        var read = await ReadAllAsync(Store, null);

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"p{i:D5}"), Ids(read));
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(withFeedback.Contains(i) ? 1 : 0, read[i].Feedback.Count);
        }
    }

    [StoreFact]
    public async Task RecordAsync_PositiveAndNegativeWithText_LinkedToTheirAnswer()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("answer-a", T0), Ct);
        await Store.RecordQuestionAsync(Record("answer-b", T0.AddSeconds(1)), Ct);
        var up = new Feedback("answer-a", "discord", "user-1", FeedbackReaction.Positive, null, T0.AddMinutes(1));
        var down = new Feedback("answer-a", "teams", "user-2", FeedbackReaction.Negative, "Cites the wrong article — 第5条 😕 \"quoted\" 'x'", T0.AddMinutes(2));

        await Store.RecordAsync(down, Ct);
        await Store.RecordAsync(up, Ct);
        var read = await ReadAllAsync(Store, null);

        Assert.Empty(read[1].Feedback);
        Assert.Collection(
            read[0].Feedback,
            f =>
            {
                Assert.Equal(("answer-a", "discord", FeedbackReaction.Positive, null, T0.AddMinutes(1)), (f.AnswerId, f.Platform, f.Reaction, f.Comment, f.At));
                Assert.Equal(Hasher.Hash("user-1"), f.UserId);
                Assert.NotEqual("user-1", f.UserId);
            },
            f =>
            {
                Assert.Equal(("answer-a", "teams", FeedbackReaction.Negative, down.Comment, T0.AddMinutes(2)), (f.AnswerId, f.Platform, f.Reaction, f.Comment, f.At));
                Assert.Equal(Hasher.Hash("user-2"), f.UserId);
            });
    }

    [StoreFact]
    public async Task RecordAsync_UnknownAnswerId_IsStoredAndLinksWhenTheAnswerArrives()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("known", T0), Ct);

        await Store.RecordAsync(new Feedback("not-recorded-yet", "teams", null, FeedbackReaction.Negative, "late audit", T0.AddSeconds(5)), Ct);

        Assert.Equal(1, await CountFeedbackRowsAsync(Ct));
        Assert.Empty(Assert.Single(await ReadAllAsync(Store, null)).Feedback);

        await Store.RecordQuestionAsync(Record("not-recorded-yet", T0.AddSeconds(1)), Ct);
        var linked = Assert.Single((await ReadAllAsync(Store, null))[1].Feedback);
        Assert.Equal(("late audit", (string?)null), (linked.Comment, linked.UserId));
    }

    [StoreFact]
    public async Task PruneAsync_RemovesOlderRecordsTheirFeedbackAndIdleBuckets()
    {
        await Store.MigrateAsync(Ct);
        var now = T0.AddDays(200);
        var cutoff = now.AddDays(-90);
        await Store.RecordQuestionAsync(Record("old-100", now.AddDays(-100)), Ct);
        await Store.RecordQuestionAsync(Record("old-91", now.AddDays(-91)), Ct);
        await Store.RecordQuestionAsync(Record("at-cutoff", cutoff), Ct);
        await Store.RecordQuestionAsync(Record("new-1", now.AddDays(-1)), Ct);
        await Store.RecordAsync(new Feedback("old-100", "discord", "u", FeedbackReaction.Positive, null, now.AddDays(-100)), Ct);
        await Store.RecordAsync(new Feedback("old-91", "discord", "u", FeedbackReaction.Negative, "late but linked", now.AddDays(-10)), Ct);
        await Store.RecordAsync(new Feedback("new-1", "discord", "u", FeedbackReaction.Positive, null, now.AddDays(-1)), Ct);
        await Store.RecordAsync(new Feedback("orphan-old", "teams", "u", FeedbackReaction.Positive, null, now.AddDays(-95)), Ct);
        await Store.RecordAsync(new Feedback("orphan-new", "teams", "u", FeedbackReaction.Positive, null, now.AddDays(-5)), Ct);
        Assert.True(await Store.TryTakeTokenAsync("idle", 1, 0, now.AddDays(-120), Ct));
        Assert.True(await Store.TryTakeTokenAsync("busy", 1, 0, now.AddDays(-1), Ct));

        var removed = await Store.PruneAsync(cutoff, Ct);

        Assert.Equal(2, removed);
        var kept = await ReadAllAsync(Store, null);
        Assert.Equal(["at-cutoff", "new-1"], Ids(kept));
        Assert.Single(kept[1].Feedback);
        Assert.Equal(2, await CountFeedbackRowsAsync(Ct)); // new-1's and orphan-new
        Assert.True(await Store.TryTakeTokenAsync("idle", 1, 0, now, Ct)); // bucket row gone: full again
        Assert.False(await Store.TryTakeTokenAsync("busy", 1, 0, now, Ct));
        Assert.Equal(0, await Store.PruneAsync(cutoff, Ct));
    }

    [StoreFact]
    public async Task AnswerChannels_SetGetClear_PerPlatformAndServer()
    {
        await Store.MigrateAsync(Ct);

        Assert.Null(await Store.GetAnswerChannelsAsync("discord", "s1", Ct));
        await Store.SetAnswerChannelsAsync("discord", "s1", ["c2", "c1"], Ct);
        await Store.SetAnswerChannelsAsync("teams", "s1", ["19:abc@thread.tacv2"], Ct);
        await Store.SetAnswerChannelsAsync("discord", "s2", [], Ct);

        Assert.Equal(["c2", "c1"], await Store.GetAnswerChannelsAsync("discord", "s1", Ct));
        Assert.Equal(["19:abc@thread.tacv2"], await Store.GetAnswerChannelsAsync("teams", "s1", Ct));
        Assert.Equal([], await Store.GetAnswerChannelsAsync("discord", "s2", Ct));
        Assert.Null(await Store.GetAnswerChannelsAsync("teams", "s2", Ct));
        Assert.Null(await Store.GetAnswerChannelsAsync("Discord", "s1", Ct));

        await Store.SetAnswerChannelsAsync("discord", "s1", ["c3"], Ct);
        Assert.Equal(["c3"], await Store.GetAnswerChannelsAsync("discord", "s1", Ct));

        await Store.SetAnswerChannelsAsync("discord", "s1", null, Ct);
        await Store.SetAnswerChannelsAsync("discord", "never-set", null, Ct);
        Assert.Null(await Store.GetAnswerChannelsAsync("discord", "s1", Ct));
        Assert.Equal(["19:abc@thread.tacv2"], await Store.GetAnswerChannelsAsync("teams", "s1", Ct));

        var other = Open();
        Assert.Equal([], await other.GetAnswerChannelsAsync("discord", "s2", Ct));
    }

    [StoreFact]
    public async Task TryTakeTokenAsync_SameInstant_GrantsExactlyCapacity()
    {
        await Store.MigrateAsync(Ct);

        var results = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await Store.TryTakeTokenAsync("user:1", 3, 0.5, T0, Ct));
        }

        Assert.Equal([true, true, true, false, false], results);
        Assert.True(await Store.TryTakeTokenAsync("user:2", 3, 0.5, T0, Ct));
    }

    [StoreFact]
    public async Task TryTakeTokenAsync_TimePasses_RefillsAtTheRateUpToCapacity()
    {
        await Store.MigrateAsync(Ct);
        const string key = "channel:42";

        Assert.True(await Store.TryTakeTokenAsync(key, 2, 1.0, T0, Ct));
        Assert.True(await Store.TryTakeTokenAsync(key, 2, 1.0, T0, Ct));
        Assert.False(await Store.TryTakeTokenAsync(key, 2, 1.0, T0, Ct));
        Assert.False(await Store.TryTakeTokenAsync(key, 2, 1.0, T0.AddMilliseconds(500), Ct));
        Assert.True(await Store.TryTakeTokenAsync(key, 2, 1.0, T0.AddSeconds(1), Ct));
        Assert.False(await Store.TryTakeTokenAsync(key, 2, 1.0, T0.AddSeconds(1), Ct));

        // An hour idle refills to capacity (2), not 3,600.
        Assert.True(await Store.TryTakeTokenAsync(key, 2, 1.0, T0.AddHours(1), Ct));
        Assert.True(await Store.TryTakeTokenAsync(key, 2, 1.0, T0.AddHours(1), Ct));
        Assert.False(await Store.TryTakeTokenAsync(key, 2, 1.0, T0.AddHours(1), Ct));

        // A rate that is inexact in binary still makes a whole token (0.1/s × 10 s).
        Assert.True(await Store.TryTakeTokenAsync("slow", 1, 0.1, T0, Ct));
        Assert.False(await Store.TryTakeTokenAsync("slow", 1, 0.1, T0.AddSeconds(9.9), Ct));
        Assert.True(await Store.TryTakeTokenAsync("slow", 1, 0.1, T0.AddSeconds(10), Ct));
    }

    [StoreFact]
    public async Task TryTakeTokenAsync_ClockGoesBackwards_MintsNothing()
    {
        await Store.MigrateAsync(Ct);

        Assert.True(await Store.TryTakeTokenAsync("k", 1, 1.0, T0, Ct));
        Assert.False(await Store.TryTakeTokenAsync("k", 1, 1.0, T0.AddSeconds(-30), Ct));
        Assert.False(await Store.TryTakeTokenAsync("k", 1, 1.0, T0.AddMilliseconds(900), Ct));
        Assert.True(await Store.TryTakeTokenAsync("k", 1, 1.0, T0.AddSeconds(1), Ct));
    }

    [StoreFact]
    public async Task TryTakeTokenAsync_FiftyConcurrentTakesFromTwoStores_NeverOverGrant()
    {
        await Store.MigrateAsync(Ct);
        var second = Open();
        IBotStore[] stores = [Store, second];

        for (var round = 0; round < 3; round++)
        {
            var key = $"burst:{round}";
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 50)
                .Select(i => Task.Run(
                    async () =>
                    {
                        start.Wait(Ct);
                        return await stores[i % 2].TryTakeTokenAsync(key, 10, 0, T0, Ct);
                    },
                    Ct))
                .ToArray();
            start.Set();
            var granted = await Task.WhenAll(tasks);

            Assert.Equal(10, granted.Count(g => g));
            Assert.False(await Store.TryTakeTokenAsync(key, 10, 0, T0.AddDays(1), Ct));
        }
    }

    [StoreFact]
    public async Task TryTakeTokenAsync_BadArguments_Throw()
    {
        await Store.MigrateAsync(Ct);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.TryTakeTokenAsync("k", 0, 1, T0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.TryTakeTokenAsync("k", 1, -1, T0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.TryTakeTokenAsync("k", 1, double.NaN, T0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.TryTakeTokenAsync("", 1, 1, T0, Ct));
        Assert.True(await Store.TryTakeTokenAsync("k", 1, 1, T0, Ct)); // nothing was consumed by the rejected calls
    }

    [StoreFact]
    public async Task RecordQuestionAsync_TwoHundredConcurrentWriters_AllPresent()
    {
        await Store.MigrateAsync(Ct);
        var second = Open();
        IBotStore[] stores = [Store, second];

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(
            async () =>
            {
                var store = stores[i % 2];
                await store.RecordQuestionAsync(Record($"c{i:D3}", T0.AddMilliseconds(i), $"question {i}"), Ct);
                await store.RecordAsync(new Feedback($"c{i:D3}", "discord", $"u{i}", FeedbackReaction.Positive, $"fb {i}", T0.AddSeconds(1)), Ct);
            },
            Ct)));

        var read = await ReadAllAsync(Store, null);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"c{i:D3}"), Ids(read));
        Assert.All(read, r => Assert.Equal($"fb {r.Question[9..]}", Assert.Single(r.Feedback).Comment));
        Assert.Equal(200, await CountFeedbackRowsAsync(Ct));
    }

    [StoreFact]
    public async Task Store_ReopenedLikeANewProcess_SeesEarlierWrites()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("persisted", T0), Ct);
        await Store.SetAnswerChannelsAsync("discord", "g", ["c"], Ct);
        await Store.DisposeAsync();

        var reopened = Open();
        await reopened.MigrateAsync(Ct);

        Assert.Equal(["persisted"], Ids(await ReadAllAsync(reopened, null)));
        Assert.Equal(["c"], await reopened.GetAnswerChannelsAsync("discord", "g", Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.RecordQuestionAsync(Record("x", T0), Ct));
    }

    protected static AuditRecord Record(string answerId, DateTimeOffset at, string question = "What is a high-risk AI system?") => new()
    {
        AnswerId = answerId,
        At = at,
        Platform = "discord",
        ServerId = "guild",
        ChannelId = "channel",
        Question = question,
        Outcome = AnswerOutcome.Answered,
        CitedPassageIds = ["eu-ai-act#art6"],
        CorpusVersion = "v1",
        LatencyMs = 12.5,
    };

    protected async Task<List<AuditRecord>> ReadAllAsync(IBotStore store, DateTimeOffset? since)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in store.ReadAuditAsync(since, Ct))
        {
            records.Add(record);
        }

        return records;
    }

    private IBotStore Open()
    {
        var store = OpenStore();
        _stores.Add(store);
        return store;
    }

    private static string[] Ids(IEnumerable<AuditRecord> records) => records.Select(r => r.AnswerId).ToArray();

    private static void AssertSameRecord(AuditRecord expected, AuditRecord actual)
    {
        Assert.Equal(expected.AnswerId, actual.AnswerId);
        Assert.Equal(StoreValues.Truncate(expected.At), actual.At);
        Assert.Equal(expected.Platform, actual.Platform);
        Assert.Equal(expected.ServerId, actual.ServerId);
        Assert.Equal(expected.ChannelId, actual.ChannelId);
        Assert.Equal(expected.UserHash, actual.UserHash);
        Assert.Equal(expected.Question, actual.Question);
        Assert.Equal(expected.Outcome, actual.Outcome);
        Assert.Equal(expected.Reason, actual.Reason);
        Assert.Equal(expected.CitedPassageIds, actual.CitedPassageIds);
        Assert.Equal(expected.CorpusVersion, actual.CorpusVersion);
        Assert.Equal(expected.LatencyMs, actual.LatencyMs);
        Assert.Equal(expected.AnswerText, actual.AnswerText);
        Assert.Equal(expected.SuggestedTopics, actual.SuggestedTopics);
        Assert.Equal(expected.Confidence, actual.Confidence);
        Assert.Equal(expected.MainTerms, actual.MainTerms);
    }
}
