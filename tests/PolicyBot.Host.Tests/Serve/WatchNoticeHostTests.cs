using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PolicyBot.Core.State;
using PolicyBot.Core.Watching;
using PolicyBot.Host.Tests.Serve.Reliability;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>
/// Watch notices through the whole serve host (index service → live reload → notifier → Discord REST on the fake
/// Discord): once per document version, and after a restart on the same SQLite state.
/// </summary>
public sealed class WatchNoticeHostTests
{
    internal const string Channel = "410000000000000001";

    internal static Dictionary<string, string?> DiscordConfig(FakeDiscord discord) => new()
    {
        ["DISCORD_TOKEN"] = FakeDiscord.Token,
        ["DISCORD_APPLICATION_ID"] = FakeDiscord.ApplicationId,
        ["DISCORD_API_BASE_URL"] = discord.ApiBaseUrl,
    };

    internal static Watch WidgetsWatch() => new()
    {
        Platform = "discord",
        ServerId = "300000000000000003",
        ChannelId = Channel,
        Kind = WatchKind.Topic,
        Key = WatchTopics.Normalize("Widgets"),
        Label = "Widgets",
        CreatedAt = DateTimeOffset.UtcNow,
    };

    internal static string Registry(string when) => TestCorpus.Document(
        "Widget Registry Rules",
        "https://example.org/widget-registry",
        ("Deadlines", $"Providers must register every widget model {when} before sale."));

    internal static List<FakeMessage> Notices(FakeDiscord discord) =>
        discord.Messages.Where(m => m.Via == "channel" && m.ChannelId == Channel).ToList();

    /// <summary>Waits for <paramref name="count"/> notices, then a little longer so that a duplicate would show.</summary>
    internal static async Task<List<FakeMessage>> NoticesAsync(FakeDiscord discord, int count)
    {
        await HostileCorpusReloadTests.WaitUntilAsync(() => Notices(discord).Count >= count, TimeSpan.FromSeconds(30));
        await Task.Delay(1500);
        return Notices(discord);
    }

    [Fact]
    public async Task Serve_LiveReloadAnnouncedOnce_AndAfterARestartOnTheSameState()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var discord = await FakeDiscord.StartAsync(TimeProvider.System);
        await using (var host = await ServeTestHost.StartAsync(corpus, DiscordConfig(discord), discord: true))
        {
            Assert.Equal(WatchAddResult.Added, await host.App.Services.GetRequiredService<IWatchStore>().AddWatchAsync(WidgetsWatch(), 25, CancellationToken.None));
            corpus.Write("widget-registry.md", Registry("within 30 days"));
            var notice = Assert.Single(await NoticesAsync(discord, 1));
            Assert.Equal("New source on Widgets: [Widget Registry Rules](<https://example.org/widget-registry>) (example.org, 1 Jan 2025) — ask me about it.", notice.Body["content"]!.GetValue<string>());
            Assert.Empty(notice.Body["allowed_mentions"]!["parse"]!.AsArray());

            // A document on another topic: no notice.
            corpus.Write("sprocket.md", TestCorpus.Document("Sprocket Notes", "https://example.org/sprockets", ("Scope", "Sprockets are not widgets of any kind.")).Replace("topics: [\"widgets\"]", "topics: [\"sprockets\"]", StringComparison.Ordinal));
            await Task.Delay(1500);
            Assert.Single(Notices(discord));
        }

        // Restart: the index opened at start is not announced; the next live change is, once.
        await using (var host = await ServeTestHost.StartAsync(corpus, DiscordConfig(discord), discord: true))
        {
            await Task.Delay(1500);
            Assert.Single(Notices(discord));
            corpus.Write("widget-registry.md", Registry("within 14 days"));
            var notices = await NoticesAsync(discord, 2);
            Assert.Equal(2, notices.Count);
            Assert.Empty(discord.Violations);
        }
    }

}

/// <summary>Two serve hosts on one PostgreSQL, each reloading the same document: one notice per version.</summary>
[RequiresPostgres]
public sealed class SharedPostgresWatchTests
{
    [StoreFact]
    public async Task TwoHosts_OnePostgres_BothReloadTheSameDocument_OneNotice()
    {
        var server = PostgresTestEnvironment.RequireConnectionString();
        var schema = "pbwatch_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\";", connection);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            await using var discord = await FakeDiscord.StartAsync(TimeProvider.System);
            var config = WatchNoticeHostTests.DiscordConfig(discord);
            config["POLICYBOT_DATABASE"] = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
            using var corpusA = new TestCorpus(CorpusSet.Widgets);
            using var corpusB = new TestCorpus(CorpusSet.Widgets);
            await using var a = await ServeTestHost.StartAsync(corpusA, config, discord: true);
            await using var b = await ServeTestHost.StartAsync(corpusB, config, discord: true);
            await b.App.Services.GetRequiredService<IWatchStore>().AddWatchAsync(WatchNoticeHostTests.WidgetsWatch(), 25, CancellationToken.None);

            // Both replicas get the same new document (a shared checkout pulled on each), and both reload it.
            for (var version = 1; version <= 3; version++)
            {
                var text = WatchNoticeHostTests.Registry($"within {version * 10} days");
                corpusA.Write("widget-registry.md", text);
                corpusB.Write("widget-registry.md", text);
                var notices = await WatchNoticeHostTests.NoticesAsync(discord, version);
                Assert.Equal(version, notices.Count);
            }

            Assert.Empty(discord.Violations);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
