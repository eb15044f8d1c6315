using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.State;
using PolicyBot.Search;
using PolicyBot.Search.Analysis;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>The operated answer path around the real engine (real SQLite index over a small temp corpus).</summary>
public sealed class OperatedAnswererTests : IAsyncLifetime
{
    private static readonly UserIdHasher Hasher = UserIdHasher.WithSalt("operated-answerer-salt-0123");
    private readonly TestCorpus _corpus = new(CorpusSet.Widgets);
    private PolicyBot.Search.PolicyBotEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await _corpus.OpenAsync();

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _corpus.Dispose();
    }

    private OperatedAnswerer Make(IQuestionAnswerer inner, OperationsOptions options, IBotStore? store = null, TimeProvider? time = null) =>
        new(inner, _engine, store, QuestionTerms.Default, Hasher, new InMemoryRateLimiter(time ?? TimeProvider.System), options, new PolicyBotMetrics(), time ?? TimeProvider.System, NullLogger<OperatedAnswerer>.Instance);

    /// <summary>The real engine, made slow by a delay before it answers (the answer still comes from the core).</summary>
    private DelayingAnswerer Slow(TimeSpan delay) => new(_engine, TimeProvider.System) { Delay = delay };

    private static Question Q(string user, string channel = "c1") => new(CorpusQuestions.Widgets.Fine, new QuestionContext("discord", "g1", channel, user));

    [Fact]
    public async Task AnswerAsync_UserOverLimit_RefusedPolitelyOthersStillAnswered()
    {
        var clock = new ManualClock();
        using var answerer = Make(_engine, new OperationsOptions { UserRate = new RateLimit(2, TimeSpan.FromSeconds(30)), ChannelRate = new RateLimit(100, TimeSpan.FromSeconds(1)) }, time: clock);

        Assert.Equal(AnswerOutcome.Answered, (await answerer.AnswerAsync(Q("alice"), CancellationToken.None)).Outcome);
        Assert.Equal(AnswerOutcome.Answered, (await answerer.AnswerAsync(Q("alice"), CancellationToken.None)).Outcome);
        var third = await answerer.AnswerAsync(Q("alice"), CancellationToken.None);
        Assert.Equal(AnswerOutcome.Refused, third.Outcome);
        Assert.Equal("rate limited (user)", third.Reason);
        Assert.Contains("please wait about 30 seconds", third.Text, StringComparison.Ordinal);
        Assert.Equal(AnswerOutcome.Answered, (await answerer.AnswerAsync(Q("bob"), CancellationToken.None)).Outcome);

        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(AnswerOutcome.Answered, (await answerer.AnswerAsync(Q("alice"), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task AnswerAsync_ChannelOverLimit_Refused()
    {
        using var answerer = Make(_engine, new OperationsOptions { UserRate = new RateLimit(100, TimeSpan.FromSeconds(1)), ChannelRate = new RateLimit(3, TimeSpan.FromMinutes(1)) });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AnswerOutcome.Answered, (await answerer.AnswerAsync(Q("user" + i), CancellationToken.None)).Outcome);
        }

        var refused = await answerer.AnswerAsync(Q("user9"), CancellationToken.None);
        Assert.Equal("rate limited (channel)", refused.Reason);
        Assert.Equal(AnswerOutcome.Answered, (await answerer.AnswerAsync(Q("user9", "c2"), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task AnswerAsync_QueueFull_RefusesBeyondCapacityAndAnswersTheRest()
    {
        var inner = Slow(TimeSpan.FromMilliseconds(300));
        using var answerer = Make(inner, new OperationsOptions { MaxConcurrentAnswers = 2, QueueCapacity = 3, UserRate = new RateLimit(1000, TimeSpan.FromSeconds(1)), ChannelRate = new RateLimit(1000, TimeSpan.FromSeconds(1)) });
        var tasks = Enumerable.Range(0, 8).Select(i => answerer.AnswerAsync(Q("u" + i), CancellationToken.None)).ToList();
        var answers = await Task.WhenAll(tasks);
        Assert.Equal(5, answers.Count(a => a.Outcome == AnswerOutcome.Answered));
        Assert.Equal(3, answers.Count(a => a.Reason == "busy"));
        Assert.All(answers.Where(a => a.Reason == "busy"), a => Assert.Contains("ask again in a moment", a.Text, StringComparison.Ordinal));
        Assert.Equal(0, answerer.InFlight);
    }

    [Fact]
    public async Task BeginDrain_InFlightFinishNewOnesRefused()
    {
        var inner = Slow(TimeSpan.FromMilliseconds(400));
        using var answerer = Make(inner, new OperationsOptions { UserRate = new RateLimit(1000, TimeSpan.FromSeconds(1)), ChannelRate = new RateLimit(1000, TimeSpan.FromSeconds(1)) });
        var inFlight = Enumerable.Range(0, 4).Select(i => answerer.AnswerAsync(Q("u" + i), CancellationToken.None)).ToList();
        await Task.Delay(50);
        answerer.BeginDrain();
        var late = await answerer.AnswerAsync(Q("late"), CancellationToken.None);
        Assert.Equal("shutting down", late.Reason);
        Assert.True(await answerer.WaitForIdleAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.All(await Task.WhenAll(inFlight), a => Assert.Equal(AnswerOutcome.Answered, a.Outcome));
    }

    [Fact]
    public async Task WaitForIdle_StuckAnswer_ReturnsFalseAfterBound()
    {
        var inner = Slow(TimeSpan.FromSeconds(5));
        using var answerer = Make(inner, new OperationsOptions());
        using var cts = new CancellationTokenSource();
        var stuck = answerer.AnswerAsync(Q("u"), cts.Token);
        await Task.Delay(30);
        answerer.BeginDrain();
        var started = DateTime.UtcNow;
        Assert.False(await answerer.WaitForIdleAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck);
        Assert.Equal(0, answerer.InFlight);
    }

    [Fact]
    public async Task AnswerAsync_InnerThrows_ApologyWithReasonAndAudited()
    {
        using var corpus = new TestCorpus();
        await using var store = BotStoreFactory.CreateSqlite(corpus.IndexPath, null, null);
        await store.MigrateAsync(CancellationToken.None);
        using var answerer = Make(new FaultInjectingAnswerer(_engine) { Fail = true }, new OperationsOptions(), store);
        var answer = await answerer.AnswerAsync(Q("alice"), CancellationToken.None);
        Assert.Equal(AnswerOutcome.Refused, answer.Outcome);
        Assert.Equal("internal error", answer.Reason);
        await foreach (var record in store.ReadAuditAsync(null, CancellationToken.None))
        {
            Assert.Equal("internal error", record.Reason);
            Assert.Equal(Hasher.Hash("alice"), record.UserHash);
            return;
        }

        Assert.Fail("nothing audited");
    }

    [Fact]
    public async Task AnswerAsync_EachOutcome_AuditsConfidenceAndMainTermsAsTheAnswerHadThem()
    {
        using var corpus = new TestCorpus();
        await using var store = BotStoreFactory.CreateSqlite(corpus.IndexPath, null, null);
        await store.MigrateAsync(CancellationToken.None);
        using var answerer = Make(_engine, new OperationsOptions(), store);
        var asked = new[]
        {
            CorpusQuestions.Widgets.Fine,
            CorpusQuestions.Widgets.Registry,
            "What is the capital of Peru?",
            "数据出境安全评估办法的适用范围是什么？",
            "<script>alert(1)</script> Widget Safety Act fine?",
            "",
        };
        var answers = new Dictionary<string, Answer>();
        foreach (var q in asked)
        {
            var answer = await answerer.AnswerAsync(new Question(q, new QuestionContext("discord", "g1", "c1", "alice")), CancellationToken.None);
            answers[answer.Id] = answer;
        }

        var records = new List<AuditRecord>();
        await foreach (var record in store.ReadAuditAsync(null, CancellationToken.None))
        {
            records.Add(record);
        }

        Assert.Equal(asked.Length, records.Count);
        Assert.Contains(records, r => r.Outcome == AnswerOutcome.Answered && r.Confidence is not null);
        Assert.Contains(records, r => r.Outcome == AnswerOutcome.Abstained);
        foreach (var record in records)
        {
            var answer = answers[record.AnswerId];
            Assert.Equal(answer.Confidence?.ToString(), record.Confidence);
            Assert.Equal(answer.Outcome == AnswerOutcome.Refused ? null : QuestionTerms.Default.MainTerms(record.Question), record.MainTerms);
        }

        Assert.Equal("capit peru", records.Single(r => r.Question == "What is the capital of Peru?").MainTerms);
    }

    [Theory]
    [InlineData("5/60s", 5, 60)]
    [InlineData("100/1h", 100, 3600)]
    [InlineData("1/0.5s", 1, 0.5)]
    public void RateLimit_Parse_ReadsBurstAndPeriod(string text, int capacity, double seconds)
    {
        var rate = RateLimit.Parse(text);
        Assert.NotNull(rate);
        Assert.Equal(capacity, rate.Value.Capacity);
        Assert.Equal(seconds, rate.Value.Per.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("five/60s")]
    [InlineData("5/60")]
    [InlineData("5/-1s")]
    [InlineData("5/60d")]
    public void RateLimit_ParseMalformed_Null(string text) => Assert.Null(RateLimit.Parse(text));

    [Fact]
    public async Task InMemoryRateLimiter_ManyKeys_StaysBounded()
    {
        var limiter = new InMemoryRateLimiter(TimeProvider.System, maxKeys: 1000);
        var rate = new RateLimit(5, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(await limiter.TryTakeAsync("k" + i, rate, CancellationToken.None));
        }

        Assert.True(limiter.Count <= 1000, $"{limiter.Count} buckets kept");
    }
}
