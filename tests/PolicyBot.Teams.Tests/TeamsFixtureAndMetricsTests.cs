using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests;

/// <summary>Recorded payloads, periodic key refresh and the PolicyBot.Teams meter.</summary>
public sealed class TeamsFixtureAndMetricsTests
{
    [Fact]
    public async Task TX02_RecordedTeamsChannelPayload_MentionStrippedAndAnsweredInThread()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var json = (await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "teams-channel-message.json")))
            .Replace("{{serviceUrl}}", ctx.Fake.ServiceUrl, StringComparison.Ordinal)
            .Replace("{{appId}}", BotHost.AppId, StringComparison.Ordinal);
        var response = await ctx.PostAsync(JsonNode.Parse(json)!.AsObject());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var reply = (await ctx.Fake.WaitForAsync(d => d.Any(c => c.Type == "message"))).First(c => c.Type == "message");
        Assert.Equal("how do I reset my password?", ctx.Answerer.Questions.Single().Text);
        Assert.Equal("19:3a4cfa4a8fd24b4db1bde5cc8a0ca4ac@thread.tacv2;messageid=1632474074231", reply.ConversationId);
        Assert.Equal("1632474074231", reply.ActivityId);
    }

    [Fact]
    public async Task TA09_SigningKeysCached_PeriodicRefreshConfigured()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("one"))).StatusCode);
        var fetches = ctx.Fake.KeysFetches;
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("two"))).StatusCode);
        Assert.Equal(fetches, ctx.Fake.KeysFetches);

        // The periodic refresh itself is IdentityModel's ConfigurationManager (on its own clock): it is set to the
        // configured interval, and a forced refresh is throttled to the configured minimum.
        var manager = ctx.Bot.Services.GetRequiredService<PolicyBot.Teams.Auth.SigningKeys>().Manager;
        Assert.Equal(TimeSpan.FromHours(12), manager.AutomaticRefreshInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), manager.RefreshInterval);
    }

    [Fact]
    public async Task Metrics_ActivitiesAndConnector429sCounted()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TeamsMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();

        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(429, "Throttled", RetryAfter: "0"));
        await ctx.PostAsync(ctx.Personal("q"));
        await ctx.Fake.WaitForAsync(d => d.Any(c => c.Type == "message" && c.Body["attachments"] is null));
        await ctx.Bot.PostAsync(ctx.Personal("q"), "Basic x");
        Assert.True(seen.GetValueOrDefault("policybot.teams.activities_received") >= 1);
        Assert.True(seen.GetValueOrDefault("policybot.teams.connector_throttled") >= 1);
        Assert.True(seen.GetValueOrDefault("policybot.teams.auth_failures") >= 1);
    }
}

/// <summary>Back-pressure: a full turn queue refuses with 503 and a redelivery is then handled, not dropped as a duplicate.</summary>
public sealed class TeamsBackPressureTests
{
    [Fact]
    public async Task TX09_QueueFull_503_ThenRedeliveryAnswered()
    {
        await using var ctx = await TeamsTestContext.StartAsync(s => s.Tune = o =>
        {
            o.QueueCapacity = 1;
            o.Workers = 1;
        });
        ctx.Delaying.Delay = TimeSpan.FromMilliseconds(1500);
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("first"))).StatusCode);
        await WaitUntil(() => ctx.Answerer.Calls == 1); // the worker holds "first"; the queue is empty again
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("second"))).StatusCode);
        var third = ctx.Personal("third", id: "third-1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ctx.PostAsync(third)).StatusCode);
        ctx.Delaying.Delay = TimeSpan.Zero;
        await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message" && c.Body["attachments"] is null) == 2, TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(third)).StatusCode);
        await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message" && c.Body["attachments"] is null) == 3, TimeSpan.FromSeconds(15));
        Assert.Equal(["first", "second", "third"], ctx.Answerer.Questions.Select(q => q.Text).ToArray());
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
