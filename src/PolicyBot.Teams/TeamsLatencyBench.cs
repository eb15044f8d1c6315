using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Teams;

/// <summary>Latency from the inbound POST to the reply POST arriving at the Connector.</summary>
public sealed record TeamsLatencyReport(int Questions, TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan Mean)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Questions} questions: p50 {P50.TotalMilliseconds:F1} ms, p99 {P99.TotalMilliseconds:F1} ms, max {Max.TotalMilliseconds:F1} ms, mean {Mean.TotalMilliseconds:F1} ms");
}

/// <summary>
/// Measures inbound POST → reply POST at a loopback Connector for the lead's <c>bench</c> verb. The bot runs its real
/// endpoint, queue, workers, formatter and Connector client on 127.0.0.1 in auth-disabled dev mode (so the one RS256
/// verification per request and the outbound token fetch are not included); questions are sent one at a time.
/// </summary>
public static class TeamsLatencyBench
{
    public static async Task<TeamsLatencyReport> RunAsync(
        IQuestionAnswerer answerer,
        ICorpusCatalog catalog,
        IReadOnlyList<string> questions,
        int count,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (questions.Count == 0)
        {
            throw new ArgumentException("At least one question is needed.", nameof(questions));
        }

        var arrivals = new ConcurrentDictionary<string, TaskCompletionSource<long>>(StringComparer.Ordinal);
        await using var connector = await StartConnectorAsync(arrivals, cancellationToken).ConfigureAwait(false);
        await using var bot = await StartBotAsync(answerer, catalog, cancellationToken).ConfigureAwait(false);
        var connectorUrl = Address(connector) + "/bench/";
        using var http = new HttpClient { BaseAddress = new Uri(Address(bot)) };

        var samples = new List<TimeSpan>(count);
        for (var i = 0; i < count; i++)
        {
            var id = "bench-" + i.ToString(CultureInfo.InvariantCulture);
            var arrived = arrivals.GetOrAdd(id, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            var activity = new JsonObject
            {
                ["type"] = "message",
                ["id"] = id,
                ["serviceUrl"] = connectorUrl,
                ["channelId"] = "msteams",
                ["from"] = new JsonObject { ["id"] = "29:bench-user" },
                ["recipient"] = new JsonObject { ["id"] = "28:bench-bot" },
                ["conversation"] = new JsonObject { ["id"] = "a:bench-" + (i % 64).ToString(CultureInfo.InvariantCulture), ["conversationType"] = "personal" },
                ["text"] = questions[i % questions.Count],
            };
            var start = Stopwatch.GetTimestamp();
            using (var response = await http.PostAsJsonAsync("/api/messages", activity, cancellationToken).ConfigureAwait(false))
            {
                response.EnsureSuccessStatusCode();
            }

            var end = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(start, end));
        }

        samples.Sort();
        return new TeamsLatencyReport(
            count,
            Percentile(samples, 0.50),
            Percentile(samples, 0.99),
            samples[^1],
            TimeSpan.FromTicks((long)samples.Average(s => s.Ticks)));
    }

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    private static async Task<WebApplication> StartConnectorAsync(ConcurrentDictionary<string, TaskCompletionSource<long>> arrivals, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var next = 0;
        app.MapPost("/bench/v3/conversations/{conversationId}/activities/{activityId?}", async (HttpContext context, string? activityId) =>
        {
            var now = Stopwatch.GetTimestamp();
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            var isAnswer = activityId is not null && body?["type"]?.GetValue<string>() == "message" && body["attachments"] is null;
            if (isAnswer && arrivals.TryGetValue(activityId!, out var tcs))
            {
                tcs.TrySetResult(now);
            }

            return Results.Json(new JsonObject { ["id"] = "m" + Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture) });
        });
        await app.StartAsync(ct).ConfigureAwait(false);
        return app;
    }

    private static async Task<WebApplication> StartBotAsync(IQuestionAnswerer answerer, ICorpusCatalog catalog, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Local mode on loopback: the bench measures the answer path, not token checks.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HttpUrl"] = "http://127.0.0.1:0", ["LocalMode"] = "true" });
        builder.Services.AddSingleton(answerer);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton<IFeedbackSink, DiscardFeedback>();
        builder.Services.AddSingleton<PolicyBot.Core.State.IWatchStore, NoWatches>();
        builder.Services.AddPolicyBotTeams(builder.Configuration);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapPolicyBotTeams();
        await app.StartAsync(ct).ConfigureAwait(false);
        return app;
    }

    private sealed class DiscardFeedback : IFeedbackSink
    {
        public Task RecordAsync(Feedback feedback, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The bench asks questions only; /watch is never used, so nothing is kept.</summary>
    private sealed class NoWatches : PolicyBot.Core.State.IWatchStore
    {
        public Task<PolicyBot.Core.State.WatchAddResult> AddWatchAsync(PolicyBot.Core.Watching.Watch watch, int maxPerChannel, CancellationToken cancellationToken) =>
            Task.FromResult(PolicyBot.Core.State.WatchAddResult.Full);

        public Task<IReadOnlyList<PolicyBot.Core.Watching.Watch>> ListWatchesAsync(string platform, string channelId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PolicyBot.Core.Watching.Watch>>([]);

        public Task<bool> RemoveWatchAsync(string platform, string channelId, PolicyBot.Core.Watching.WatchKind kind, string key, CancellationToken cancellationToken) =>
            Task.FromResult(false);

        public Task<int> RemoveChannelWatchesAsync(string platform, string channelId, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<IReadOnlyList<PolicyBot.Core.Watching.Watch>> ReadAllWatchesAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PolicyBot.Core.Watching.Watch>>([]);
    }
}
