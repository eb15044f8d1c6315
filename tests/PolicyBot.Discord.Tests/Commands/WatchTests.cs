using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Core.Watching;
using PolicyBot.Discord.Commands;
using PolicyBot.Search;
using PolicyBot.Search.Index;

namespace PolicyBot.Discord.Tests.Commands;

/// <summary>
/// <c>/watch</c> on the fake Discord with the real SQLite store, and the notices a live reload of a real corpus folder
/// (real Lucene index, real <see cref="CorpusWatcher"/>) sends through the real REST client.
/// </summary>
public sealed class WatchTests
{
    /// <summary>Real-time patience for the fake Discord: the first turn of a cold test process on a loaded machine takes seconds.</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    private const string ChannelA = "400000000000000004";
    private const string ChannelB = "400000000000000044";
    private const string Guild = "300000000000000003";
    private const string ManageGuild = "32";

    private static JsonObject Watch(string sub, string? topic = null, string? jurisdiction = null)
    {
        var options = new JsonArray();
        if (topic is not null)
        {
            options.Add(new JsonObject { ["name"] = "topic", ["type"] = 3, ["value"] = topic });
        }

        if (jurisdiction is not null)
        {
            options.Add(new JsonObject { ["name"] = "jurisdiction", ["type"] = 3, ["value"] = jurisdiction });
        }

        return new JsonObject
        {
            ["id"] = "800000000000000009",
            ["name"] = "watch",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = sub, ["type"] = 1, ["options"] = options }),
        };
    }

    /// <summary>Runs one /watch interaction and returns its (ephemeral) reply text, checking the reply's shape.</summary>
    private static async Task<string> RunAsync(BotHarness h, JsonObject data, string permissions = ManageGuild, string channelId = ChannelA, string? guildId = Guild)
    {
        var interaction = h.Fake.NewInteraction(2, data, guildId: guildId, channelId: channelId, permissions: permissions);
        var id = interaction["id"]!.GetValue<string>();
        await h.DispatchInteractionAsync(interaction);
        var callback = await h.Fake.WaitForRequestAsync(r => r.Path.Contains($"/interactions/{id}/", StringComparison.Ordinal), Slow);
        Assert.Equal(4, callback.Json!["type"]!.GetValue<int>());
        var reply = callback.Json["data"]!;
        Assert.Equal(64, reply["flags"]!.GetValue<int>());
        Assert.Empty(reply["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Null(reply["components"]);
        return reply["content"]!.GetValue<string>();
    }

    /// <summary>Messages posted to channels (the notices), not interaction responses.</summary>
    private static List<FakeMessage> Posted(BotHarness h) => h.Fake.Messages.Where(m => m.Via == "channel").ToList();

    private static async Task<BotHarness> StartedAsync(string? stateFile = null)
    {
        var h = await BotHarness.CreateAsync(factor: 2, stateFile: stateFile); // the fake's 3 s response window in slow virtual time: a cold, loaded process still makes it
        await h.StartAsync();
        return h;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2048")] // Send Messages only
    [InlineData("268435456")] // Manage Roles, not Manage Server or Manage Channels
    [InlineData("not-a-number")]
    public async Task AddOrRemove_WithoutManageServerOrManageChannels_RefusedAndNothingStored(string permissions)
    {
        await using var h = await StartedAsync();
        var text = await RunAsync(h, Watch("add", topic: "EU AI Act"), permissions);
        Assert.StartsWith("Only members with the Manage Server or Manage Channels permission", text, StringComparison.Ordinal);
        Assert.Empty(await h.Store.ListWatchesAsync("discord", ChannelA, CancellationToken.None));

        await h.Store.AddWatchAsync(new Watch { Platform = "discord", ChannelId = ChannelA, Kind = WatchKind.Topic, Key = "eu ai act", Label = "EU AI Act" }, 25, CancellationToken.None);
        Assert.StartsWith("Only members", await RunAsync(h, Watch("remove", topic: "EU AI Act"), permissions), StringComparison.Ordinal);
        Assert.Single(await h.Store.ListWatchesAsync("discord", ChannelA, CancellationToken.None));

        // Listing is open to every member.
        Assert.Contains("topic EU AI Act", await RunAsync(h, Watch("list"), permissions), StringComparison.Ordinal);
        Assert.Empty(h.Fake.Violations);
    }

    [Theory]
    [InlineData("32")] // Manage Server
    [InlineData("16")] // Manage Channels (the member's permissions in this channel, overwrites included)
    [InlineData("8")] // Administrator
    [InlineData("2147483647")]
    public async Task Add_WithManageServerManageChannelsOrAdministrator_Stored(string permissions)
    {
        await using var h = await StartedAsync();
        Assert.StartsWith("This channel now watches topic “EU AI Act”", await RunAsync(h, Watch("add", topic: "EU AI Act"), permissions), StringComparison.Ordinal);
        var watch = Assert.Single(await h.Store.ListWatchesAsync("discord", ChannelA, CancellationToken.None));
        Assert.Equal((WatchKind.Topic, "eu ai act", "EU AI Act", Guild), (watch.Kind, watch.Key, watch.Label, watch.ServerId));
    }

    [Fact]
    public async Task AddListRemove_PerChannel_ListShowsWhatIsLeft()
    {
        await using var h = await StartedAsync();
        Assert.Contains("now watches topic “EU AI Act”", await RunAsync(h, Watch("add", topic: "EU AI Act")), StringComparison.Ordinal);
        Assert.Contains("already watches topic “eu-ai-act”", await RunAsync(h, Watch("add", topic: "eu-ai-act")), StringComparison.Ordinal);
        Assert.Contains("now watches jurisdiction the EU (EU)", await RunAsync(h, Watch("add", jurisdiction: "Europe")), StringComparison.Ordinal);
        Assert.Contains("now watches jurisdiction China (CN)", await RunAsync(h, Watch("add", jurisdiction: "中国")), StringComparison.Ordinal);
        Assert.Contains("now watches topic “NIST AI RMF”", await RunAsync(h, Watch("add", topic: "NIST AI RMF"), channelId: ChannelB), StringComparison.Ordinal);

        var list = await RunAsync(h, Watch("list"));
        Assert.Equal("This channel watches:\n• topic EU AI Act\n• jurisdiction the EU (EU)\n• jurisdiction China (CN)", list);
        Assert.Equal("This channel no longer watches jurisdiction the EU (EU).", await RunAsync(h, Watch("remove", jurisdiction: "eu")));
        Assert.StartsWith("This channel does not watch topic “nist ai rmf”. This channel watches:", await RunAsync(h, Watch("remove", topic: "nist ai rmf")), StringComparison.Ordinal);
        Assert.Equal("This channel no longer watches topic “EU AI act”.", await RunAsync(h, Watch("remove", topic: "EU  AI  act")));
        Assert.Equal("This channel watches:\n• jurisdiction China (CN)", await RunAsync(h, Watch("list")));
        Assert.Equal("This channel watches:\n• topic NIST AI RMF", await RunAsync(h, Watch("list"), channelId: ChannelB));
    }

    [Fact]
    public async Task HostileHugeEmptyAndChineseTopics_CleanedEscapedOrRefused()
    {
        await using var h = await StartedAsync();
        Assert.StartsWith("Give either a topic or a jurisdiction", await RunAsync(h, Watch("add")), StringComparison.Ordinal);
        Assert.StartsWith("Give either a topic or a jurisdiction", await RunAsync(h, Watch("add", topic: "EU", jurisdiction: "EU")), StringComparison.Ordinal);
        Assert.StartsWith("Give either a topic or a jurisdiction", await RunAsync(h, Watch("add", topic: "  \u200B ")), StringComparison.Ordinal);
        Assert.StartsWith("That topic has no words I can match", await RunAsync(h, Watch("add", topic: "!!! ??? ***")), StringComparison.Ordinal);
        Assert.StartsWith("I don't know that jurisdiction", await RunAsync(h, Watch("add", jurisdiction: "Atlantis")), StringComparison.Ordinal);
        Assert.StartsWith("Watches belong to a server channel", await RunAsync(h, Watch("add", topic: "EU AI Act"), guildId: null), StringComparison.Ordinal);
        Assert.Empty(await h.Store.ReadAllWatchesAsync(CancellationToken.None));

        // Mentions are stripped, @everyone defused, markdown escaped; allowed_mentions is empty (checked in RunAsync).
        var hostile = await RunAsync(h, Watch("add", topic: "@everyone <@500000000000000005> **bold** `code` <@&600000000000000006> AI"));
        Assert.DoesNotContain("@everyone", hostile, StringComparison.Ordinal);
        Assert.Contains("\\*\\*bold\\*\\*", hostile, StringComparison.Ordinal);
        Assert.DoesNotContain("<@", hostile, StringComparison.Ordinal);

        // Huge: kept to 100 characters, cut at a word.
        var huge = string.Join(' ', Enumerable.Repeat("regulation", 800));
        await RunAsync(h, Watch("add", topic: huge), channelId: ChannelB);
        var stored = Assert.Single(await h.Store.ListWatchesAsync("discord", ChannelB, CancellationToken.None));
        Assert.True(stored.Label.Length <= WatchTarget.MaxTopicChars, $"label of {stored.Label.Length} characters");
        Assert.EndsWith("regulation…", stored.Label, StringComparison.Ordinal);
        Assert.DoesNotContain("regulation…", stored.Key, StringComparison.Ordinal); // the key has words only

        // Chinese: kept as typed and matched without spaces.
        Assert.Contains("now watches topic “人工智能 监管”", await RunAsync(h, Watch("add", topic: "人工智能 监管"), channelId: "400000000000000444"), StringComparison.Ordinal);
        var chinese = Assert.Single(await h.Store.ListWatchesAsync("discord", "400000000000000444", CancellationToken.None));
        Assert.True(WatchMatcher.Matches(chinese, new Core.Conversation.CorpusDocumentInfo("cn.md", "生成式人工智能 监管 暂行办法", "note", "", null, [], [], 1, DateTimeOffset.UnixEpoch)));
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task Notices_OncePerChangedDocument_AfterReload_AndAfterRestart()
    {
        using var corpus = new LiveCorpus();
        string stateFile;
        await using (var h = await StartedAsync())
        {
            h.KeepStateFile = true;
            stateFile = h.Store.FilePath;
            await RunAsync(h, Watch("add", topic: "EU AI Act"));
            await RunAsync(h, Watch("add", jurisdiction: "EU"));
            await RunAsync(h, Watch("add", topic: "NIST AI RMF"), channelId: ChannelB);
            await using var live = await corpus.StartAsync(h);

            // An edit of the EU note: one notice in the channel watching it (both its watches in one line), none elsewhere.
            await corpus.WriteAsync("eu-ai-act.md", LiveCorpus.EuNote("Fines reach up to 35 million euros."));
            await live.ReloadAsync();
            var notice = Assert.Single(Posted(h));
            Assert.Equal(ChannelA, notice.ChannelId);
            Assert.Equal(
                "New source on EU AI Act, the EU: [The EU AI Act: scope and penalties](<https://eur-lex.europa.eu/eli/reg/2024/1689/oj>) (Official Journal of the European Union, 12 July 2024) — ask me about it.",
                notice.Body["content"]!.GetValue<string>());
            Assert.Empty(notice.Body["allowed_mentions"]!["parse"]!.AsArray());
            Assert.Null(notice.Body["components"]);

            // A reload with nothing new, and a touch that leaves the content as it was: no notice.
            await live.ReloadAsync();
            File.SetLastWriteTimeUtc(corpus.PathOf("eu-ai-act.md"), DateTime.UtcNow.AddMinutes(1));
            await live.ReloadAsync();
            Assert.Single(Posted(h));

            // A new NIST document reaches the other channel only.
            await corpus.WriteAsync("nist.md", LiveCorpus.NistNote);
            await live.ReloadAsync();
            Assert.Equal(2, Posted(h).Count);
            var nist = Posted(h)[^1];
            Assert.Equal(ChannelB, nist.ChannelId);
            Assert.StartsWith("New source on NIST AI RMF: [NIST AI RMF 1.0: the four functions]", nist.Body["content"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // Restart: a new bot process on the same state file; the watches and the announced versions are still there.
        await using (var h = await StartedAsync(stateFile))
        {
            await using var live = await corpus.StartAsync(h);
            await live.ReloadAsync();
            Assert.Empty(Posted(h)); // nothing changed while it was down

            await corpus.WriteAsync("eu-ai-act.md", LiveCorpus.EuNote("Fines reach up to 35 million euros or 7 percent of turnover."));
            await live.ReloadAsync();
            var notice = Assert.Single(Posted(h));
            Assert.Equal(ChannelA, notice.ChannelId);
            Assert.StartsWith("New source on EU AI Act, the EU: ", notice.Body["content"]!.GetValue<string>(), StringComparison.Ordinal);

            // Removed watch: no more notices for it.
            await RunAsync(h, Watch("remove", topic: "EU AI Act"));
            await RunAsync(h, Watch("remove", jurisdiction: "EU"));
            await corpus.WriteAsync("eu-ai-act.md", LiveCorpus.EuNote("A third version."));
            await live.ReloadAsync();
            Assert.Single(Posted(h));
            Assert.Empty(h.Fake.Violations);
        }
    }

    [Fact]
    public async Task Notice_HostileDocumentTitle_DefusedAndEscaped_AndAGoneChannelDropsItsWatches()
    {
        using var corpus = new LiveCorpus();
        await using var h = await StartedAsync();
        await RunAsync(h, Watch("add", jurisdiction: "EU"));
        await RunAsync(h, Watch("add", jurisdiction: "EU"), channelId: ChannelB);
        await using var live = await corpus.StartAsync(h);
        h.Fake.InjectFor("POST", $"/channels/{ChannelB}/messages", FakeResponse.Error(404, 10003, "Unknown Channel"));

        await corpus.WriteAsync("hostile.md", """
            ---
            title: "@everyone look [here](https://evil.example) **now** <@500000000000000005>"
            source: "@here"
            kind: note
            published: 2025-09
            jurisdictions: [EU]
            ---
            # Hostile

            ## Body
            A plain sentence about the European Union and its rules on artificial intelligence.
            """);
        await live.ReloadAsync();

        var notice = Assert.Single(Posted(h));
        var content = notice.Body["content"]!.GetValue<string>();
        Assert.Equal("New source on the EU: **@\u200Beveryone look \\[here\\](https://evil.example) \\*\\*now\\*\\* \\<@500000000000000005>** (@\u200Bhere, Sept 2025) — ask me about it.", content);
        Assert.Empty(notice.Body["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Null(notice.Body["allowed_mentions"]!["users"]);
        Assert.Empty(await h.Store.ListWatchesAsync("discord", ChannelB, CancellationToken.None));
        Assert.Single(await h.Store.ListWatchesAsync("discord", ChannelA, CancellationToken.None));
    }

    /// <summary>A writable corpus folder with its own Lucene index, reloaded by the real watcher.</summary>
    private sealed class LiveCorpus : IDisposable
    {
        public const string NistNote = """
            ---
            title: "NIST AI RMF 1.0: the four functions"
            source: "https://www.nist.gov/itl/ai-risk-management-framework"
            kind: primary
            published: 2023-01-26
            jurisdictions: [US]
            topics: [nist-ai-rmf]
            ---
            # NIST AI RMF

            ## Functions
            The AI RMF Core is organised around four functions: Govern, Map, Measure and Manage.
            """;

        private readonly string _root = Path.Combine(TestCorpus.SharedRoot, "live-" + Guid.NewGuid().ToString("N"));

        public LiveCorpus()
        {
            Directory.CreateDirectory(Path.Combine(_root, "corpus"));
            File.WriteAllText(PathOf("eu-ai-act.md"), EuNote("Fines reach up to 15 million euros."));
            File.WriteAllText(PathOf("singapore.md"), """
                ---
                title: "Singapore Model AI Governance Framework"
                source: "Infocomm Media Development Authority"
                kind: primary
                jurisdictions: [SG]
                ---
                # Singapore

                ## Governance
                Organisations deploying AI should set up internal governance structures with clear roles.
                """);
        }

        public static string EuNote(string penalty) => $"""
            ---
            title: "The EU AI Act: scope and penalties"
            source: "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
            sources:
              - headline: "Regulation (EU) 2024/1689 (Artificial Intelligence Act)"
                outlet: "Official Journal of the European Union"
                published: 2024-07-12
                url: "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
                tier: primary
            kind: note
            published: 2024-08-01
            jurisdictions: [EU]
            topics: [eu-ai-act, gpai]
            ---
            # The EU AI Act

            ## Penalties
            {penalty}
            """;

        public string PathOf(string name) => Path.Combine(_root, "corpus", name);

        public Task WriteAsync(string name, string text) => File.WriteAllTextAsync(PathOf(name), text);

        /// <summary>The engine, the corpus watcher and the notices, wired as the host wires them, posting through <paramref name="h"/>'s REST client.</summary>
        public async Task<Live> StartAsync(BotHarness h)
        {
            var options = new PolicyBotOptions { IndexPath = Path.Combine(_root, "index") };
            options.CorpusDirectories.Add(Path.Combine(_root, "corpus"));
            var engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
            var metrics = new PolicyBotMetrics();
            var watcher = new CorpusWatcher(engine, TimeSpan.FromMilliseconds(50), metrics, NullLogger<CorpusWatcher>.Instance);
            var notifier = new WatchNotifier(h.Store, h.Store, [new DiscordWatchNoticeSender(h.Rest)], TimeProvider.System, NullLogger<WatchNotifier>.Instance);
            var notices = new ReloadNotices(watcher, engine, notifier, NullLogger<ReloadNotices>.Instance);
            watcher.Start();
            return new Live(engine, watcher, notices, metrics);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Left for the process-exit cleanup of the temp folder.
            }
        }
    }

    private sealed class Live(PolicyBotEngine engine, CorpusWatcher watcher, ReloadNotices notices, PolicyBotMetrics metrics) : IAsyncDisposable
    {
        /// <summary>Asks for a reload (as a file change does) and waits until its notices were handled.</summary>
        public async Task ReloadAsync()
        {
            var before = notices.Handled;
            var reloads = watcher.Reloads;
            watcher.Poke();
            await BotHarness.WaitUntilAsync(() => watcher.Reloads > reloads && notices.Handled > before, realSeconds: 20);
            // The file system watcher may have seen the same write and asked for one more (empty) reload: let it settle.
            await Task.Delay(250);
            await BotHarness.WaitUntilAsync(() => notices.Handled >= watcher.Reloads - reloads + before, realSeconds: 20);
        }

        public async ValueTask DisposeAsync()
        {
            await notices.DisposeAsync();
            await watcher.DisposeAsync();
            await engine.DisposeAsync();
            metrics.Dispose();
        }
    }
}
