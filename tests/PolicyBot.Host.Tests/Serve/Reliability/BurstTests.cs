using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Serve.Reliability;

/// <summary>200 questions at once through the fake Discord and the fake Teams together, into one serve host.</summary>
public sealed class BurstTests(ITestOutputHelper output)
{
    private const int PerPlatform = 100;

    [Fact]
    public async Task Serve_TwoHundredQuestionsAtOnce_AllAnsweredOnceMemoryBounded()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var discord = await FakeDiscord.StartAsync(TimeProvider.System);
        var config = new Dictionary<string, string?>
        {
            ["DISCORD_TOKEN"] = FakeDiscord.Token,
            ["DISCORD_APPLICATION_ID"] = FakeDiscord.ApplicationId,
            ["DISCORD_API_BASE_URL"] = discord.ApiBaseUrl,
            ["POLICYBOT_RATE_USER"] = "5/60s",
            ["POLICYBOT_RATE_CHANNEL"] = "1000/1s",
        };
        await using var host = await ServeTestHost.StartAsync(corpus, config, discord: true);
        var gateway = await discord.NextConnectionAsync();
        await host.WaitReadyAsync();

        var questions = new[] { CorpusQuestions.Widgets.Fine, CorpusQuestions.Widgets.Registry, "Who supervises gadget transparency duties?", "How is synthetic audio labelled?" };
        var before = Memory.SettledHeapBytes();
        var sw = Stopwatch.StartNew();

        // All 200 arrive at once: 100 Discord DMs on the gateway and 100 Teams POSTs, each from its own user.
        var discordIds = Enumerable.Range(0, PerPlatform).Select(i => (900_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToList();
        var teamsIds = Enumerable.Range(0, PerPlatform).Select(i => "act-" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var sends = new List<Task>();
        for (var i = 0; i < PerPlatform; i++)
        {
            var n = i;
            sends.Add(gateway.DispatchAsync("MESSAGE_CREATE", FakeDiscord.NewMessage(
                discordIds[n], questions[n % questions.Length], guildId: null, channelId: (800_000_000_000_000_000L + n).ToString(CultureInfo.InvariantCulture), authorId: (700_000_000_000_000_000L + n).ToString(CultureInfo.InvariantCulture))));
            sends.Add(Task.Run(async () =>
            {
                using var response = await host.PostAsync(host.Personal(questions[n % questions.Length], "burst-user-" + n, teamsIds[n]));
                Assert.True(response.IsSuccessStatusCode, $"POST {n}: {(int)response.StatusCode}");
            }));
        }

        await Task.WhenAll(sends);
        var platformsDone = new[]
        {
            Task.Run(async () =>
            {
                await HostileCorpusReloadTests.WaitUntilAsync(() => host.Fake.DeliveredMessages.Count(c => c.ActivityId is not null && (c.Text ?? "").Contains("[1]", StringComparison.Ordinal)) >= PerPlatform, TimeSpan.FromSeconds(60));
                return sw.Elapsed;
            }),
            Task.Run(async () =>
            {
                await HostileCorpusReloadTests.WaitUntilAsync(() => DiscordReplies(discord).Count >= PerPlatform, TimeSpan.FromSeconds(60));
                return sw.Elapsed;
            }),
        };
        var done = await Task.WhenAll(platformsDone);
        sw.Stop();
        output.WriteLine($"Teams: all {PerPlatform} replies posted after {done[0].TotalMilliseconds:F0} ms; Discord: all {PerPlatform} after {done[1].TotalMilliseconds:F0} ms");
        await Task.Delay(300); // anything answered twice would arrive now
        var after = Memory.SettledHeapBytes();

        var discordReplies = DiscordReplies(discord);
        // A Teams answer is the cited text plus, for clients without citations, a sources card: one answer per activity.
        var teamsReplies = host.Fake.DeliveredMessages.Where(c => c.ActivityId is not null && (c.Text ?? "").Contains("[1]", StringComparison.Ordinal)).ToList();
        output.WriteLine($"200 questions answered in {sw.Elapsed.TotalMilliseconds:F0} ms ({200 / sw.Elapsed.TotalSeconds:F0} answers/s end to end, including Discord's REST pacing)");
        output.WriteLine($"GC heap {Memory.Mb(before)} before, {Memory.Mb(after)} after; working set {Memory.Mb(Environment.WorkingSet)}");

        foreach (var g in discordReplies.GroupBy(r => r.Reference).Where(g => g.Count() > 1).Take(2))
        {
            output.WriteLine($"reply to {g.Key}: " + string.Join(" || ", g.Select(r => r.Content[..Math.Min(80, r.Content.Length)])));
        }

        Assert.Equal(PerPlatform, discordReplies.Count);
        Assert.Equal(discordIds.Order(StringComparer.Ordinal), discordReplies.Select(r => r.Reference).Order(StringComparer.Ordinal));
        Assert.All(discordReplies, r => Assert.Contains("[1]", r.Content, StringComparison.Ordinal));
        Assert.Equal(PerPlatform, teamsReplies.Count);
        Assert.Equal(teamsIds.Order(StringComparer.Ordinal), teamsReplies.Select(c => c.ActivityId!).Order(StringComparer.Ordinal));
        Assert.True(after - before < 100L * 1024 * 1024, $"managed heap grew {(after - before) / 1048576.0:F1} MB");

        var audited = new List<AuditRecord>();
        await foreach (var r in host.App.Services.GetRequiredService<IBotStore>().ReadAuditAsync(null, CancellationToken.None))
        {
            audited.Add(r);
        }

        Assert.Equal(PerPlatform, audited.Count(r => r.Platform == "discord" && r.Outcome == AnswerOutcome.Answered));
        Assert.Equal(PerPlatform, audited.Count(r => r.Platform == "teams" && r.Outcome == AnswerOutcome.Answered));
        Assert.Equal(0, host.Answerer.InFlight);
    }

    private static List<(string Reference, string Content)> DiscordReplies(FakeDiscord discord) =>
        discord.Messages
            .Where(m => m.Body["message_reference"]?["message_id"] is not null)
            .Select(m => (m.Body["message_reference"]!["message_id"]!.GetValue<string>(), m.Body["content"]?.GetValue<string>() ?? ""))
            .ToList();
}
