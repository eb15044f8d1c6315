using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Tests.Gateway;

/// <summary>Discord gateway conformance scenarios DG-01…DG-22 against the fake gateway.</summary>
public sealed class GatewayTests
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(600);

    private static Func<GatewayClientOptions, GatewayClientOptions> FastBackoff(double baseSeconds = 1, double capSeconds = 60)
        => o => new GatewayClientOptions
        {
            Token = o.Token,
            Intents = o.Intents,
            ShardId = o.ShardId,
            ShardCount = o.ShardCount,
            BackoffBase = TimeSpan.FromSeconds(baseSeconds),
            BackoffCap = TimeSpan.FromSeconds(capSeconds),
        };

    [Fact]
    public async Task DG01_Connect_QueryJitteredHeartbeatsAndOneIdentify()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10, configureFake: f => f.HeartbeatIntervalMs = 5000);
        var helloAt = DateTimeOffset.MinValue;
        h.Fake.OnConnected = async c =>
        {
            helloAt = h.Time.GetUtcNow();
            await c.SendHelloAsync();
        };
        var connection = await h.ConnectAsync();

        Assert.Equal("/gateway", connection.Path);
        Assert.Equal("?v=10&encoding=json", connection.Query);
        var first = await connection.ReceiveOpAsync(1);
        var second = await connection.ReceiveOpAsync(1);
        var third = await connection.ReceiveOpAsync(1);
        Assert.InRange(first.At - helloAt, TimeSpan.Zero, TimeSpan.FromSeconds(5) + Tolerance);
        Assert.InRange(second.At - first.At, TimeSpan.FromSeconds(5) - Tolerance, TimeSpan.FromSeconds(5) + Tolerance);
        Assert.InRange(third.At - second.At, TimeSpan.FromSeconds(5) - Tolerance, TimeSpan.FromSeconds(5) + Tolerance);

        var identify = Assert.Single(h.Fake.FramesWithOp(2));
        Assert.Equal(FakeDiscord.Token, identify.D.GetProperty("token").GetString());
        Assert.Equal(37377, identify.D.GetProperty("intents").GetInt32());
        var properties = identify.D.GetProperty("properties");
        Assert.False(string.IsNullOrEmpty(properties.GetProperty("os").GetString()));
        Assert.False(string.IsNullOrEmpty(properties.GetProperty("browser").GetString()));
        Assert.False(string.IsNullOrEmpty(properties.GetProperty("device").GetString()));
        Assert.Equal("[0,1]", identify.D.GetProperty("shard").GetRawText());
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task DG02_Heartbeat_CarriesNullThenLastSequence()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, configureFake: f => { f.HeartbeatIntervalMs = 2000; f.AutoReady = false; });
        var connection = await h.ConnectAsync();
        await connection.ReceiveOpAsync(2);
        var beforeDispatch = await connection.ReceiveOpAsync(1);
        Assert.Equal(JsonValueKind.Null, beforeDispatch.D.ValueKind);

        await h.Fake.SendReadyAsync(connection);
        await connection.DispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "1", ["unavailable"] = false });
        var last = await connection.DispatchAsync("TYPING_START", new JsonObject { ["channel_id"] = "2" });
        await connection.SendOpAsync(11, null); // a non-dispatch op must not change the sequence
        var after = await connection.ReceiveOpAsync(1);
        Assert.Equal(3, last);
        Assert.Equal(last, after.D.GetInt64());
        Assert.Equal(last, h.Bot.Shards[0].Sequence);
    }

    [Fact]
    public async Task DG03_HeartbeatRequest_HeartbeatsImmediatelyAndKeepsSchedule()
    {
        var clock = new SteppedClock();
        var interval = TimeSpan.FromSeconds(10);
        await using var h = await BotHarness.CreateAsync(clock: clock, configureFake: f => f.HeartbeatIntervalMs = 10_000);
        await h.StartAsync();
        // The first (jittered) beat is due within one interval.
        var first = await clock.WaitForTimerAsync(t => t.Due > TimeSpan.Zero && t.Due <= interval);
        clock.Advance(interval);
        var periodic = await h.Connection!.ReceiveOpAsync(1);
        // The next beat is scheduled a full interval on; a heartbeat request (op 1) is answered at once, in no virtual time.
        await clock.WaitForTimerAsync(t => t.Due == interval, afterIndex: first.Index);
        await h.Connection.SendOpAsync(1, null);
        var requested = await h.Connection.ReceiveOpAsync(1);
        Assert.Equal(periodic.At, requested.At);
        clock.Advance(interval);
        var next = await h.Connection.ReceiveOpAsync(1);
        Assert.Equal(interval, next.At - periodic.At); // the schedule is kept: the request did not move it
    }

    [Fact]
    public async Task DG04_MissedAck_ResumesOnResumeUrl()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10, configureFake: f => f.HeartbeatIntervalMs = 3000);
        await h.StartAsync();
        var first = h.Connection!;
        var session = first.Session!;
        first.AckHeartbeats = false;

        // Two events the client never sees on the first connection: the fake replays them after Resume.
        session.Append("MESSAGE_CREATE", FakeDiscord.NewMessage("700000000000000001", $"<@{FakeDiscord.BotUserId}> missed one", mentionsBot: true));
        var missedSeq = session.Append("MESSAGE_CREATE", FakeDiscord.NewMessage("700000000000000002", $"<@{FakeDiscord.BotUserId}> missed two", mentionsBot: true)).Seq;

        var second = await h.Fake.NextConnectionAsync();
        Assert.Equal("/resume", second.Path);
        Assert.Equal("?v=10&encoding=json", second.Query);
        var resume = await second.ReceiveOpAsync(6);
        Assert.Equal(FakeDiscord.Token, resume.D.GetProperty("token").GetString());
        Assert.Equal(session.Id, resume.D.GetProperty("session_id").GetString());
        Assert.Equal(1, resume.D.GetProperty("seq").GetInt64()); // READY was the last event the client saw

        await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Count >= 2);
        await h.PassAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(2, h.Fake.ConnectionCount);
        Assert.Single(h.Fake.FramesWithOp(2));
        Assert.Equal(2, h.Fake.Messages.Count);
        Assert.Equal(missedSeq + 1, h.Bot.Shards[0].Sequence); // + RESUMED
        Assert.True(h.Metrics.Reconnects >= 1);
    }

    [Fact]
    public async Task DG04_ZombieAfterEarlierReconnect_ResumesAtOnceWithoutBackoff()
    {
        // Stepped virtual time; backoff base 10 s: any backoff wait after the second reconnect would need the clock to
        // move, and it does not move between the zombie close and the new connection.
        var clock = new SteppedClock();
        var interval = TimeSpan.FromSeconds(3);
        await using var h = await BotHarness.CreateAsync(
            clock: clock,
            configureFake: f => f.HeartbeatIntervalMs = 3000,
            tuneGateway: FastBackoff(baseSeconds: 10, capSeconds: 60));
        await h.StartAsync();
        var mark = clock.LastIndex;
        await h.Connection!.SendOpAsync(7, null); // an earlier reconnect: the next one is attempt 2
        var second = await h.Fake.NextConnectionAsync();
        await second.ReceiveOpAsync(6);
        second.AckHeartbeats = false;
        // One beat goes unacknowledged; at the next one the bot declares the connection a zombie.
        var beat = await clock.WaitForTimerAsync(t => t.Due > TimeSpan.Zero && t.Due <= interval, afterIndex: mark);
        clock.Advance(interval);
        await clock.WaitForTimerAsync(t => t.Due == interval, afterIndex: beat.Index);
        clock.Advance(interval);
        var third = await h.Fake.NextConnectionAsync(TimeSpan.FromSeconds(30));
        await second.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        var gap = third.OpenedAt - second.ClosedAt!.Value;
        Assert.True(gap == TimeSpan.Zero, $"resume connection opened {gap.TotalMilliseconds:F0} ms (virtual) after the zombie close");
        Assert.Equal("/resume", third.Path);
        await third.ReceiveOpAsync(6);
        Assert.Single(h.Fake.FramesWithOp(2));
    }

    [Fact]
    public async Task DG05_Reconnect_ResumesOnResumeUrl()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        var sessionId = h.Connection!.Session!.Id;
        await h.Connection.SendOpAsync(7, null);
        var second = await h.Fake.NextConnectionAsync();
        var resume = await second.ReceiveOpAsync(6);
        Assert.Equal("/resume", second.Path);
        Assert.Equal(sessionId, resume.D.GetProperty("session_id").GetString());
        Assert.Single(h.Fake.FramesWithOp(2));
        Assert.NotEqual(1000, await first(h.Connection));

        static async Task<int?> first(FakeGatewayConnection c) => await c.Closed.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DG05_ReconnectBeforeHello_Resumes()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        var sessionId = h.Connection!.Session!.Id;
        var reconnectFirst = 1;
        h.Fake.OnConnected = async c =>
        {
            if (Interlocked.Exchange(ref reconnectFirst, 0) == 1)
            {
                await c.SendOpAsync(7, null); // op 7 before Hello
                return;
            }

            await c.SendHelloAsync();
        };
        await h.Connection.SendOpAsync(7, null);
        var second = await h.Fake.NextConnectionAsync();
        var third = await h.Fake.NextConnectionAsync();
        var resume = await third.ReceiveOpAsync(6);
        Assert.Equal("/resume", second.Path);
        Assert.Equal("/resume", third.Path);
        Assert.Equal(sessionId, resume.D.GetProperty("session_id").GetString());
        Assert.Single(h.Fake.FramesWithOp(2));
    }

    [Fact]
    public async Task DG06_InvalidSessionResumable_Resumes()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        await h.Connection!.SendOpAsync(9, true);
        var second = await h.Fake.NextConnectionAsync();
        await second.ReceiveOpAsync(6);
        Assert.Equal("/resume", second.Path);
        Assert.Single(h.Fake.FramesWithOp(2));
    }

    [Fact]
    public async Task DG07_ResumeRejected_IdentifiesOnGatewayUrlAfterOneToFiveSeconds()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        var oldSession = h.Connection!.Session!.Id;
        h.Fake.RejectResumes = true;
        await h.Connection.SendOpAsync(7, null);
        var resumeConnection = await h.Fake.NextConnectionAsync();
        await resumeConnection.ReceiveOpAsync(6);
        var rejectedAt = h.Time.GetUtcNow();
        var fresh = await h.Fake.NextConnectionAsync();
        var identify = await fresh.ReceiveOpAsync(2);

        Assert.Equal("/gateway", fresh.Path);
        Assert.InRange(identify.At - rejectedAt, TimeSpan.FromSeconds(1) - Tolerance, TimeSpan.FromSeconds(5) + Tolerance);
        await BotHarness.WaitUntilAsync(() => h.Bot.Shards[0].SessionId is { } s && s != oldSession);
        var readySeq = 1;
        Assert.All(h.Fake.Frames.Where(f => f.Connection == fresh.Index && f.Op == 1), f => Assert.True(f.D.ValueKind == JsonValueKind.Null || f.D.GetInt64() <= readySeq));
    }

    [Fact]
    public async Task DG08_DroppedWithoutClose_Resumes()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        h.Connection!.Abort();
        var second = await h.Fake.NextConnectionAsync();
        await second.ReceiveOpAsync(6);
        Assert.Equal("/resume", second.Path);
        Assert.Single(h.Fake.FramesWithOp(2));
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(4001)]
    [InlineData(4002)]
    [InlineData(4005)]
    [InlineData(4008)]
    public async Task DG09_ResumableCloseCodes_Resume(int code)
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, tuneGateway: FastBackoff());
        await h.StartAsync();
        var closedAt = h.Time.GetUtcNow();
        await h.Connection!.CloseAsync(code);
        var second = await h.Fake.NextConnectionAsync();
        var resume = await second.ReceiveOpAsync(6);
        Assert.Equal("/resume", second.Path);
        Assert.Single(h.Fake.FramesWithOp(2));
        Assert.True(resume.At - closedAt >= TimeSpan.FromSeconds(0.5) - Tolerance, "backs off before reconnecting after a close code");
    }

    [Theory]
    [InlineData(4007)]
    [InlineData(4009)]
    public async Task DG10_SessionInvalidCloseCodes_StartNewSession(int code)
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, tuneGateway: FastBackoff());
        await h.StartAsync();
        await h.Connection!.CloseAsync(code);
        var second = await h.Fake.NextConnectionAsync();
        await second.ReceiveOpAsync(2);
        Assert.Equal("/gateway", second.Path);
        Assert.Empty(h.Fake.FramesWithOp(6));
        Assert.Equal(2, h.Fake.FramesWithOp(2).Count());
    }

    [Fact]
    public async Task DG11_NotAuthenticated_ReidentifiesOnceWithoutLoop()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, tuneGateway: FastBackoff());
        await h.StartAsync();
        await h.Connection!.CloseAsync(4003);
        var second = await h.Fake.NextConnectionAsync();
        await second.ReceiveOpAsync(2);
        await h.PassAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, h.Fake.FramesWithOp(2).Count());
        Assert.Equal(2, h.Fake.ConnectionCount);
        Assert.True(h.State.IsConnected);
    }

    [Fact]
    public async Task DG12_AuthenticationFailed_StopsWithInvalidTokenMessage()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, tuneGateway: FastBackoff());
        await h.StartAsync();
        await h.Connection!.CloseAsync(4004);
        var error = await Assert.ThrowsAsync<GatewayFatalException>(() => h.Run!.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(4004, error.CloseCode);
        Assert.Contains("invalid bot token", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Set DiscordOptions.Token", error.Message, StringComparison.Ordinal); // the host names it DISCORD_TOKEN
        await h.PassAsync(TimeSpan.FromSeconds(10)); // 10 × backoff base
        Assert.Equal(1, h.Fake.ConnectionCount);
        Assert.Contains(h.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Critical && e.Text.Contains("invalid bot token", StringComparison.OrdinalIgnoreCase));
        Assert.False(h.State.IsConnected);
    }

    [Theory]
    [InlineData(4010, "shard")]
    [InlineData(4011, "sharding")]
    [InlineData(4012, "API version")]
    [InlineData(4013, "intents")]
    [InlineData(4014, "enable MESSAGE_CONTENT")]
    public async Task DG13_FatalCloseCodes_StopWithSpecificMessage(int code, string cause)
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, tuneGateway: FastBackoff());
        await h.StartAsync();
        await h.Connection!.CloseAsync(code);
        var error = await Assert.ThrowsAsync<GatewayFatalException>(() => h.Run!.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(code, error.CloseCode);
        Assert.Contains(cause, error.Message, StringComparison.OrdinalIgnoreCase);
        await h.PassAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, h.Fake.ConnectionCount);
    }

    [Fact]
    public async Task DG14_RepeatedCloses_BackoffGrowsToCap()
    {
        // Stepped virtual time: the bot's backoff is what the clock is advanced by, so the gaps are exact whatever
        // the load (sockets and frames stay real).
        var clock = new SteppedClock();
        await using var h = await BotHarness.CreateAsync(clock: clock, tuneGateway: FastBackoff(baseSeconds: 1, capSeconds: 8));
        await h.StartAsync();
        var connectedAt = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        h.Fake.OnConnected = async c =>
        {
            connectedAt.Enqueue(clock.GetUtcNow());
            await c.SendHelloAsync();
            await c.ReceiveOpAsync(6);
            await c.CloseAsync(4000);
        };
        await h.Connection!.CloseAsync(4000);
        var delays = new List<TimeSpan>();
        for (var n = 1; n <= 7; n++)
        {
            // The delay the bot chose (logged just before it waits), then the timer it waits on.
            var delay = await ReconnectDelayAsync(h, n);
            delays.Add(delay);
            if (delay > TimeSpan.Zero)
            {
                // Task.Delay hands the clock whole milliseconds.
                await clock.WaitForTimerAsync(t => Math.Abs((t.Due - delay).TotalMilliseconds) < 1);
                Assert.Equal(n - 1, connectedAt.Count); // nothing reconnects before its backoff has passed
                clock.Advance(delay);
            }

            await BotHarness.WaitUntilAsync(() => connectedAt.Count >= n, realSeconds: 30);
        }

        var times = connectedAt.ToArray();
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        var shown = string.Join(", ", gaps.Select(g => g.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(delays.Skip(1).Select(d => d.TotalSeconds), gaps); // each gap is exactly the backoff waited
        Assert.All(delays, d => Assert.True(d <= TimeSpan.FromSeconds(8), $"delay {d} above the cap ({shown})"));
        Assert.True(gaps[^1] >= 4 - 0.5, $"later gaps reach the cap region: {shown}");
        Assert.True(gaps[^1] > gaps[0], $"gaps grow: {shown}");
        Assert.Single(h.Fake.FramesWithOp(2)); // only resumes: identifies stay bounded
    }

    /// <summary>The delay of the bot's <paramref name="n"/>th reconnect, from its log line ("…; Resume in 00:00:01.2345678").</summary>
    private static async Task<TimeSpan> ReconnectDelayAsync(BotHarness h, int n)
    {
        string[] lines = [];
        await BotHarness.WaitUntilAsync(() => (lines = [.. h.Logs.Entries.Where(e => e.Text.StartsWith("Shard 0: ", StringComparison.Ordinal) && e.Text.Contains(" in ", StringComparison.Ordinal) && e.Text.Contains("close code", StringComparison.Ordinal)).Select(e => e.Text)]).Length >= n, realSeconds: 30);
        var line = lines[n - 1];
        return TimeSpan.Parse(line[(line.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task DG15_SessionStartLimitExhausted_WaitsForReset()
    {
        await using var h = await BotHarness.CreateAsync(factor: 40, configureFake: f => f.SessionStartLimit = (1000, 0, 10_000, 1));
        var startedAt = h.Time.GetUtcNow();
        var connection = await h.ConnectAsync();
        var identify = await connection.ReceiveOpAsync(2, TimeSpan.FromSeconds(15));
        Assert.True(identify.At - startedAt >= TimeSpan.FromSeconds(10) - Tolerance, $"identified after {(identify.At - startedAt).TotalSeconds:0.00}s");
    }

    [Fact]
    public async Task DG16_TwoShards_IdentifyInOrderFiveSecondsApart()
    {
        // A slower clock (×4) so thread-pool jitter at the fake (tens of real ms) stays small in virtual time; the
        // fake timestamps frames on arrival, so the assertion allows 50 ms of real arrival jitter (0.2 s virtual).
        await using var h = await BotHarness.CreateAsync(factor: 4, configureOptions: o => o.ShardCount = 2);
        var run = h.ConnectAsync();
        await run;
        var second = await h.Fake.NextConnectionAsync(TimeSpan.FromSeconds(15));
        var a = await h.Connection!.ReceiveOpAsync(2);
        var b = await second.ReceiveOpAsync(2);
        Assert.Equal("[0,2]", a.D.GetProperty("shard").GetRawText());
        Assert.Equal("[1,2]", b.D.GetProperty("shard").GetRawText());
        Assert.True(b.At - a.At >= TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(200), $"gap {(b.At - a.At).TotalSeconds:0.00}s " + string.Join(" | ", h.Fake.Frames.Select(f => $"{f.Connection}:{f.Op}@{(f.At - a.At).TotalSeconds:0.00}")));
    }

    [Fact]
    public async Task DG16_AutoShardCount_FromGatewayBot()
    {
        await using var h = await BotHarness.CreateAsync(factor: 40, configureFake: f => { f.RecommendedShards = 2; f.SessionStartLimit = (1000, 1000, 1, 2); });
        await h.ConnectAsync();
        var second = await h.Fake.NextConnectionAsync(TimeSpan.FromSeconds(15));
        var b = await second.ReceiveOpAsync(2);
        Assert.Equal("[1,2]", b.D.GetProperty("shard").GetRawText());
    }

    [Fact]
    public async Task DG17_SendBudgetAndFrameSize_NeverExceeded()
    {
        await using var h = await BotHarness.CreateAsync(factor: 30, configureFake: f => f.HeartbeatIntervalMs = 41_250);
        await h.StartAsync();
        var client = h.Bot.Shards[0];
        var presence = new { since = (long?)null, activities = Array.Empty<object>(), status = "online", afk = false };
        var sends = Enumerable.Range(0, 125).Select(_ => client.SendOpAsync(GatewayOpCode.PresenceUpdate, presence, CancellationToken.None)).ToArray();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendOpAsync(GatewayOpCode.PresenceUpdate, new { status = new string('x', 5000) }, CancellationToken.None));

        var frames = h.Fake.Frames.Where(f => f.Connection == 0).OrderBy(f => f.At).ToArray();
        for (var i = 120; i < frames.Length; i++)
        {
            Assert.True(frames[i].At - frames[i - 120].At >= TimeSpan.FromSeconds(60) - Tolerance, "at most 120 sends per 60 s");
        }

        Assert.All(h.Fake.Frames, f => Assert.True(f.Bytes <= 4096));
        Assert.Empty(h.Fake.Violations);
        Assert.Equal(1, h.Fake.ConnectionCount);
    }

    [Fact]
    public async Task DG18_LargeDispatchSplitAcrossFrames_Reassembled()
    {
        var clock = new SteppedClock();
        var interval = TimeSpan.FromSeconds(4);
        await using var h = await BotHarness.CreateAsync(clock: clock, configureFake: f => f.HeartbeatIntervalMs = 4000);
        await h.StartAsync();
        var channels = new JsonArray();
        for (var i = 0; i < 1500; i++)
        {
            channels.Add(new JsonObject { ["id"] = (1_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = "channel-" + new string('x', 100), ["type"] = 0 });
        }

        var seq = await h.Connection!.DispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "300000000000000003", ["channels"] = channels }, frameSize: 1024);
        await BotHarness.WaitUntilAsync(() => h.Bot.Shards[0].Sequence == seq, realSeconds: 30);
        // The dispatch is in; the next beat (first or periodic, whichever is pending) must carry its sequence.
        await clock.WaitForTimerAsync(t => t.Due > TimeSpan.Zero && t.Due <= interval);
        clock.Advance(interval);
        var heartbeat = await h.Connection.ReceiveOpAsync(1);
        Assert.Equal(JsonValueKind.Number, heartbeat.D.ValueKind);
        Assert.Equal(seq, heartbeat.D.GetInt64());
        Assert.Equal(1, h.Fake.ConnectionCount);
    }

    [Fact]
    public async Task DG19_UnknownOpAndEvent_Ignored()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, configureFake: f => f.HeartbeatIntervalMs = 4000);
        await h.StartAsync();
        await h.Connection!.SendOpAsync(99, new { what = "future" });
        var seq = await h.Connection.DispatchAsync("SOMETHING_NEW", new JsonObject { ["x"] = 1 });
        await h.PassAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(1, h.Fake.ConnectionCount);
        Assert.Equal(seq, h.Bot.Shards[0].Sequence);
        Assert.DoesNotContain(h.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task DG20_DuplicateMessageCreate_AnsweredOnce()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        var message = FakeDiscord.NewMessage("710000000000000001", $"<@{FakeDiscord.BotUserId}> what is high-risk?", mentionsBot: true);
        await h.DispatchMessageAsync(message);
        await h.DispatchMessageAsync(message);
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(2));
        Assert.Single(h.Fake.Messages);
        Assert.Single(h.Recorder!.Questions);
    }

    [Fact]
    public async Task DG21_Shutdown_ClosesWith1000AndNextStartIdentifies()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        await h.StopAsync();
        var code = await h.Connection!.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1000, code);
        Assert.Contains(h.Fake.ClientCloses, c => c.Code == 1000);
    }

    [Fact]
    public async Task DG22_RateLimitedDispatch_DelaysThatOpcode()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20);
        await h.StartAsync();
        var limitedAt = h.Time.GetUtcNow(); // the client cannot start holding before the fake sends the event
        await h.Connection!.DispatchAsync("RATE_LIMITED", new JsonObject { ["opcode"] = 3, ["retry_after"] = 2.0, ["meta"] = new JsonObject() });
        await BotHarness.WaitUntilAsync(() => h.Logs.Entries.Any(e => e.Text.Contains("rate-limited op 3", StringComparison.Ordinal)));
        await h.Bot.Shards[0].SendOpAsync(GatewayOpCode.PresenceUpdate, new { since = (long?)null, activities = Array.Empty<object>(), status = "online", afk = false }, CancellationToken.None);
        var presence = await h.Connection.ReceiveOpAsync(3);
        Assert.True(presence.At - limitedAt >= TimeSpan.FromSeconds(2), $"op 3 after {(presence.At - limitedAt).TotalSeconds:0.00}s");
    }
}
