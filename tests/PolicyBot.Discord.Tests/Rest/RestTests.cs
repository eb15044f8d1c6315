using System.Net;
using System.Text.Json.Nodes;
using PolicyBot.Discord.Protocol;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord.Tests.Rest;

/// <summary>Discord REST and rate-limit conformance scenarios DR-01…DR-12 against the fake REST API.</summary>
public sealed class RestTests
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(150);

    private static MessageParams Text(string content) => new() { Content = content };

    [Fact]
    public async Task DR01_EveryRequest_CarriesBotAuthUserAgentAndJson()
    {
        await using var h = await BotHarness.CreateAsync();
        await h.Rest.CreateMessageAsync("1", Text("hello"), CancellationToken.None);
        await h.Rest.GetGatewayBotAsync(CancellationToken.None);
        await h.Rest.TriggerTypingAsync("1", CancellationToken.None);

        Assert.Equal(3, h.Fake.Requests.Count);
        Assert.All(h.Fake.Requests, r =>
        {
            Assert.Equal("Bot " + FakeDiscord.Token, r.Header("Authorization"));
            Assert.StartsWith("DiscordBot (https://", r.Header("User-Agent"), StringComparison.Ordinal);
        });
        Assert.StartsWith("application/json", h.Fake.Requests.First().Header("Content-Type"), StringComparison.Ordinal);
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task DR02_ExhaustedBucket_HoldsThatRouteAndChannelOnly()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10, configureFake: f => f.DefineBucket("b1", 1, 1.5, "POST /channels/{id}/messages"));
        await h.Rest.CreateMessageAsync("1", Text("first"), CancellationToken.None);
        var start = h.Fake.Requests.Single().At;
        var sameChannel = h.Rest.CreateMessageAsync("1", Text("second"), CancellationToken.None);
        await h.Rest.CreateMessageAsync("2", Text("other channel"), CancellationToken.None);
        var other = h.Fake.Requests.Last(r => r.Path == "/channels/2/messages");
        Assert.True(other.At - start < TimeSpan.FromSeconds(0.5), "another channel is not held");
        await sameChannel;
        var second = h.Fake.Requests.Last(r => r.Path == "/channels/1/messages");
        Assert.True(second.At - start >= TimeSpan.FromSeconds(1.5) - Tolerance, $"held {(second.At - start).TotalSeconds:0.00}s");
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task DR03_RoutesSharingABucket_ShareTheCounter()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10, configureFake: f => f.DefineBucket("shared", 2, 2.0, "POST /channels/{id}/messages", "POST /channels/{id}/typing"));
        await h.Rest.TriggerTypingAsync("1", CancellationToken.None);
        var start = h.Fake.Requests.Single().At;
        await h.Rest.CreateMessageAsync("1", Text("uses the last slot"), CancellationToken.None);
        await h.Rest.TriggerTypingAsync("1", CancellationToken.None);
        var third = h.Fake.Requests.Last();
        Assert.True(third.At - start >= TimeSpan.FromSeconds(2) - Tolerance, $"waited {(third.At - start).TotalSeconds:0.00}s");
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations) + "\n" + string.Join("\n", h.Fake.Requests.Select(r => $"{r.Path} {(r.At - start).TotalSeconds:0.000}")));
    }

    [Fact]
    public async Task DR04_RateLimited_WaitsBodyRetryAfterAndRetriesOnce()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10);
        h.Fake.InjectFor("POST", "/channels/1/messages", FakeResponse.RateLimited(0.8));
        var sent = await h.Rest.CreateMessageAsync("1", Text("retry me"), CancellationToken.None);
        var requests = h.Fake.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        var gap = requests[1].At - requests[0].At;
        Assert.True(gap >= TimeSpan.FromSeconds(0.8) - Tolerance && gap < TimeSpan.FromSeconds(1.6), $"retry after {gap.TotalSeconds:0.00}s");
        Assert.False(string.IsNullOrEmpty(sent.Id));
        Assert.Single(h.Fake.Messages);
        Assert.Equal(1, h.Metrics.RateLimited);
    }

    [Fact]
    public async Task DR05_GlobalRateLimit_PausesAllRoutes()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10);
        h.Fake.InjectFor("POST", "/channels/1/messages", FakeResponse.RateLimited(1.0, global: true, scope: "global"));
        var first = h.Rest.CreateMessageAsync("1", Text("global"), CancellationToken.None);
        var limited = await h.Fake.WaitForRequestAsync(r => r.Path == "/channels/1/messages");
        await Task.Delay(30);
        var other = h.Rest.CreateMessageAsync("2", Text("must wait too"), CancellationToken.None);
        await Task.WhenAll(first, other);
        var otherRequest = h.Fake.Requests.Single(r => r.Path == "/channels/2/messages");
        Assert.True(otherRequest.At - limited.At >= TimeSpan.FromSeconds(1) - Tolerance, $"other route after {(otherRequest.At - limited.At).TotalSeconds:0.00}s");
        Assert.All(h.Fake.Requests.Where(r => r != limited), r => Assert.True(r.At - limited.At >= TimeSpan.FromSeconds(1) - Tolerance));
    }

    [Fact]
    public async Task DR06_SharedScope429_RetriedAndNotCountedInvalid()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10);
        h.Fake.InjectFor("POST", "/channels/1/messages", FakeResponse.RateLimited(0.5, scope: "shared"));
        await h.Rest.CreateMessageAsync("1", Text("shared"), CancellationToken.None);
        var requests = h.Fake.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.5) - Tolerance);
        Assert.Equal(0, h.Fake.InvalidRequestCount);
    }

    [Fact]
    public async Task DR07_Unauthorized_StopsRestWithoutRetry()
    {
        await using var h = await BotHarness.CreateAsync();
        h.Fake.InjectFor("POST", "/channels/1/messages", FakeResponse.Error(401, 0, "401: Unauthorized"));
        var error = await Assert.ThrowsAsync<DiscordHttpException>(() => h.Rest.CreateMessageAsync("1", Text("x"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.True(h.Rest.Unauthorized.IsCompleted);
        await Assert.ThrowsAsync<DiscordHttpException>(() => h.Rest.CreateMessageAsync("2", Text("y"), CancellationToken.None));
        Assert.Single(h.Fake.Requests);
        Assert.DoesNotContain(FakeDiscord.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DR07_Unauthorized_StopsTheBotWithAnOperatorMessage()
    {
        await using var h = await BotHarness.CreateAsync();
        h.Fake.InjectFor("GET", "/gateway/bot", FakeResponse.Error(401, 0, "401: Unauthorized"));
        await h.StartAsync(waitForReady: false);
        var error = await Assert.ThrowsAsync<DiscordHttpException>(() => h.Run!.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal(0, h.Fake.ConnectionCount);
        Assert.Single(h.Fake.Requests);
        // The library names its typed option; the host maps it to the key the operator sets (DISCORD_TOKEN).
        Assert.Contains(h.Logs.Entries, e => e.Text.Contains("check DiscordOptions.Token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DR08_Forbidden_NoRetryAndOtherChannelsStillServed()
    {
        await using var h = await BotHarness.CreateAsync();
        await h.StartAsync();
        var blocked = "410000000000000001";
        var open = "410000000000000002";
        h.Fake.Inject(r => r.Path == $"/channels/{blocked}/messages" ? FakeResponse.Error(403, 50013, "Missing Permissions") : null);
        for (var i = 0; i < 3; i++)
        {
            h.Fake.Inject(r => r.Path == $"/channels/{blocked}/messages" ? FakeResponse.Error(403, 50013, "Missing Permissions") : null);
        }

        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> one", channelId: blocked, mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => h.Fake.Requests.Any(r => r.Path == $"/channels/{blocked}/messages") && h.Adapter.PendingTurns == 0);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> two", channelId: blocked, mentionsBot: true));
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> three", channelId: open, mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Any(m => m.ChannelId == open));
        await h.PassAsync(TimeSpan.FromSeconds(2));
        Assert.Single(h.Fake.Requests, r => r.Path == $"/channels/{blocked}/messages");
    }

    [Fact]
    public async Task DR09_BurstWithRateLimits_InvalidRequestsStayBounded()
    {
        await using var h = await BotHarness.CreateAsync(factor: 20, configureFake: f => f.DefineBucket("msg", 5, 1.0, "POST /channels/{id}/messages"));
        await h.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            h.Fake.InjectFor("POST", "/channels/", FakeResponse.RateLimited(0.3));
        }

        for (var i = 0; i < 100; i++)
        {
            var channel = (420000000000000000 + (i % 4)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> question {i}", channelId: channel, mentionsBot: true));
        }

        await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Count >= 100, realSeconds: 30);
        Assert.Equal(100, h.Fake.Messages.Count);
        Assert.True(h.Fake.InvalidRequestCount <= 10, $"{h.Fake.InvalidRequestCount} invalid requests: " + string.Join("\n", h.Fake.Violations));
    }

    [Fact]
    public async Task DR10_ServerErrors_RetriedWithGrowingBackoffThenGiveUp()
    {
        await using var h = await BotHarness.CreateAsync(factor: 10);
        h.Fake.InjectFor("POST", "/channels/1/messages", FakeResponse.Error(502, 0, "Bad Gateway"));
        h.Fake.InjectFor("POST", "/channels/1/messages", FakeResponse.Error(500, 0, "Internal Server Error"));
        await h.Rest.CreateMessageAsync("1", Text("third time lucky"), CancellationToken.None);
        var attempts = h.Fake.Requests.ToArray();
        Assert.Equal(3, attempts.Length);
        Assert.True(attempts[2].At - attempts[1].At > attempts[1].At - attempts[0].At - Tolerance, $"gaps grow: {(attempts[1].At - attempts[0].At).TotalMilliseconds:0} ms then {(attempts[2].At - attempts[1].At).TotalMilliseconds:0} ms (virtual)\n" + string.Join("\n", h.Logs.Entries.Where(e => e.Text.Contains("retry", StringComparison.OrdinalIgnoreCase)).Select(e => e.Text)));

        for (var i = 0; i < 6; i++)
        {
            h.Fake.InjectFor("POST", "/channels/2/messages", FakeResponse.Error(500, 0, "Internal Server Error"));
        }

        var error = await Assert.ThrowsAsync<DiscordHttpException>(() => h.Rest.CreateMessageAsync("2", Text("never"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Equal(4, h.Fake.Requests.Count(r => r.Path == "/channels/2/messages"));
    }

    [Fact]
    public async Task DR11_GlobalPacing_NoGlobal429InABurst()
    {
        // Real time (factor 1); the fake enforces Discord's 50/s on arrival, the client paces at 45/s.
        await using var h = await BotHarness.CreateAsync(factor: 1, configureFake: f => f.GlobalLimitPerSecond = 50);
        var start = h.Time.GetUtcNow();
        var sends = Enumerable.Range(0, 200).Select(i => h.Rest.CreateMessageAsync((1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Text("burst"), CancellationToken.None));
        await Task.WhenAll(sends);
        var times = h.Fake.Requests.Select(r => r.At).OrderBy(t => t).ToArray();
        var densest = times.Select((t, i) => times.Skip(i).TakeWhile(u => u - t < TimeSpan.FromSeconds(1)).Count()).Max();
        Assert.True(h.Fake.Violations.IsEmpty, $"densest 1 s window {densest}; {h.Fake.Requests.Count} requests; first violation {h.Fake.Violations.FirstOrDefault()}");
        Assert.Equal(0, h.Metrics.RateLimited);
        Assert.True(h.Time.GetUtcNow() - start >= TimeSpan.FromSeconds(3), "200 requests at ≤ 50/s take more than 3 s");
    }

    [Fact]
    public async Task DR12_GlobalLimiterSaturated_InteractionCallbacksStillImmediate()
    {
        await using var h = await BotHarness.CreateAsync(factor: 4);
        var interaction = h.Fake.NewInteraction(2, new JsonObject { ["name"] = "about" });
        var burst = Enumerable.Range(0, 150).Select(i => h.Rest.CreateMessageAsync((2000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Text("burst"), CancellationToken.None)).ToArray();
        await Task.Delay(20);
        var before = h.Time.GetUtcNow();
        await h.Rest.CreateInteractionResponseAsync(interaction["id"]!.GetValue<string>(), interaction["token"]!.GetValue<string>(), new InteractionResponse<MessageParams>(4, new MessageParams { Content = "now", Flags = 64 }), CancellationToken.None);
        var callbackLatency = h.Time.GetUtcNow() - before;
        Assert.False(burst.All(t => t.IsCompleted), "the burst is still being paced");
        Assert.True(callbackLatency < TimeSpan.FromSeconds(0.5), $"callback took {callbackLatency.TotalSeconds:0.00}s");
        await Task.WhenAll(burst);
    }
}
