using System.Diagnostics;
using System.Text.Json.Nodes;
using PolicyBot.Core.Conversation;
using Xunit.Abstractions;

namespace PolicyBot.Discord.Tests;

/// <summary>Arrival → reply latency through the fake: from the fake sending MESSAGE_CREATE/INTERACTION_CREATE to the reply request reaching it.</summary>
public sealed record LatencyReport(string Kind, int Questions, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public override string ToString()
        => $"{Kind}: n={Questions} p50={P50Ms:0.00} ms p90={P90Ms:0.00} ms p99={P99Ms:0.00} ms max={MaxMs:0.00} ms";
}

internal static class LatencyProbe
{
    /// <summary>
    /// Sends <paramref name="questions"/> mentions, one at a time (<paramref name="pace"/> apart; unpaced, the bot's
    /// own 50 requests/s global limit dominates the tail), and measures (real time) from the fake writing the
    /// MESSAGE_CREATE frame to the fake receiving the POST /channels/{id}/messages reply. Then the same for /ask:
    /// INTERACTION_CREATE → the defer callback, and → the PATCH @original with the answer.
    /// </summary>
    public static async Task<IReadOnlyList<LatencyReport>> MeasureAsync(IQuestionAnswerer answerer, ICorpusCatalog catalog, int questions, IReadOnlyList<string> texts, TimeSpan pace = default)
    {
        await using var h = await BotHarness.CreateAsync(factor: 1, answerer: answerer, catalog: catalog);
        await h.StartAsync();
        var mention = new List<double>(questions);
        var defer = new List<double>(questions);
        var edit = new List<double>(questions);
        for (var i = 0; i < questions; i++)
        {
            var message = FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> {texts[i % texts.Count]}", mentionsBot: true);
            var id = message["id"]!.GetValue<string>();
            var sent = Stopwatch.GetTimestamp();
            await h.DispatchMessageAsync(message);
            var reply = await h.Fake.WaitForRequestAsync(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal) && r.Body.Contains(id, StringComparison.Ordinal));
            mention.Add(Stopwatch.GetElapsedTime(sent, reply.RealTimestamp).TotalMilliseconds);
            if (pace > TimeSpan.Zero)
            {
                await Task.Delay(pace);
            }
        }

        for (var i = 0; i < questions; i++)
        {
            var interaction = h.Fake.NewInteraction(2, new JsonObject
            {
                ["name"] = "ask",
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = texts[i % texts.Count] }),
            });
            var token = interaction["token"]!.GetValue<string>();
            var sent = Stopwatch.GetTimestamp();
            await h.DispatchInteractionAsync(interaction);
            var callback = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith(token + "/callback", StringComparison.Ordinal));
            var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH" && r.Path.Contains(token, StringComparison.Ordinal));
            defer.Add(Stopwatch.GetElapsedTime(sent, callback.RealTimestamp).TotalMilliseconds);
            edit.Add(Stopwatch.GetElapsedTime(sent, patch.RealTimestamp).TotalMilliseconds);
        }

        return [Report("MESSAGE_CREATE → reply POST", mention), Report("INTERACTION_CREATE → defer callback", defer), Report("INTERACTION_CREATE → PATCH @original", edit)];
    }

    private static LatencyReport Report(string kind, List<double> samples)
    {
        samples.Sort();
        double At(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p * samples.Count) - 1)];
        return new LatencyReport(kind, samples.Count, At(0.50), At(0.90), At(0.99), samples[^1]);
    }
}

public sealed class LatencyProbeTests(ITestOutputHelper output)
{
    /// <summary>
    /// Prints p50/p99 per path with the real engine (200 questions each by default; set POLICYBOT_LATENCY_QUESTIONS=1000
    /// for the full probe); asserts only that every question got its reply, never on time.
    /// </summary>
    [Fact]
    public async Task Latency_ArrivalToReply_Printed()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("POLICYBOT_LATENCY_QUESTIONS"), out var n) && n > 0 ? n : 200;
        string[] texts =
        [
            "What must providers of high-risk AI systems establish?",
            "How high are fines for prohibited AI practices?",
            "What must providers of general-purpose AI models publish?",
            "Who should set up internal governance structures for AI?",
        ];
        var pace = TimeSpan.FromMilliseconds(double.TryParse(Environment.GetEnvironmentVariable("POLICYBOT_LATENCY_PACE_MS"), System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : 0);
        var engine = await TestCorpus.SharedAsync(CorpusSet.Chat);
        var reports = await LatencyProbe.MeasureAsync(engine, engine, count, texts, pace);
        foreach (var report in reports)
        {
            output.WriteLine(report.ToString());
            Console.WriteLine(report.ToString());
        }

        Assert.All(reports, r => Assert.Equal(count, r.Questions));
    }
}
