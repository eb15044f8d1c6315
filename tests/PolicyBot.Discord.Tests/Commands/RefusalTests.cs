using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;

namespace PolicyBot.Discord.Tests.Commands;

/// <summary>
/// Refusals on the fake Discord through the real operated answer path (rate limits in front of the real engine):
/// ephemeral for slash commands (flags 64) with no buttons or embeds; one short reply without buttons or a thread for
/// a mention; and the channel allow-list of <c>/config channels</c> for public slash answers.
/// </summary>
public sealed class RefusalTests
{
    /// <summary>Real-time patience for the fake Discord: the first turn of a cold test process on a loaded machine takes seconds.</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Virtual time runs only twice as fast here: the fake enforces Discord's 3 s to the first response in virtual time,
    /// and these tests time the refusal window before it (at 20× the 3 s are 150 ms of real time, less than a cold
    /// process on a loaded machine needs for its first turn).
    /// </summary>
    private const double Factor = 2;

    private const string Channel = "400000000000000004";
    private const string Guild = "300000000000000003";

    private static JsonObject Command(string name, string option, string value, bool? isPrivate = null)
    {
        var options = new JsonArray(new JsonObject { ["name"] = option, ["type"] = 3, ["value"] = value });
        if (isPrivate is { } p)
        {
            options.Add(new JsonObject { ["name"] = "private", ["type"] = 5, ["value"] = p });
        }

        return new JsonObject { ["id"] = "800000000000000001", ["name"] = name, ["type"] = 1, ["options"] = options };
    }

    /// <summary>A harness whose answerer is the real <see cref="OperatedAnswerer"/> (one question per user a minute) over the real engine.</summary>
    private static async Task<(BotHarness Harness, OperatedAnswerer Answerer, PolicyBotMetrics Metrics)> StartedAsync(Action<DiscordOptions>? configureOptions = null)
    {
        var engine = await TestCorpus.SharedAsync(CorpusSet.Chat);
        var time = new AcceleratedTimeProvider(Factor);
        var metrics = new PolicyBotMetrics();
        var operations = new OperationsOptions { UserRate = new RateLimit(1, TimeSpan.FromMinutes(1)) };
        var store = new PolicyBot.State.Sqlite.SqliteBotStore(TestCorpus.NewStateFile());
        await store.MigrateAsync(CancellationToken.None);
        var answerer = new OperatedAnswerer(engine, engine, store, PolicyBot.Search.Analysis.QuestionTerms.Default, UserIdHasher.WithSalt("refusal-tests-salt-0123456789"), new InMemoryRateLimiter(time), operations, metrics, time, NullLogger<OperatedAnswerer>.Instance);
        var h = await BotHarness.CreateAsync(factor: Factor, answerer: answerer, catalog: engine, configureOptions: configureOptions);
        await h.StartAsync();
        return (h, answerer, metrics);
    }

    private static async Task<JsonNode> CallbackAsync(BotHarness h, JsonObject interaction)
    {
        var id = interaction["id"]!.GetValue<string>();
        await h.DispatchInteractionAsync(interaction);
        return (await h.Fake.WaitForRequestAsync(r => r.Path.Contains($"/interactions/{id}/", StringComparison.Ordinal), Slow)).Json!;
    }

    [Theory]
    [InlineData("ask", "question", "What must providers of high-risk AI systems establish?")]
    [InlineData("compare", "topic", "How do the EU and the US regulate AI?")]
    [InlineData("brief", "topic", "the EU AI Act")]
    public async Task RateLimited_SlashCommand_OneEphemeralResponseWithoutButtons(string command, string option, string value)
    {
        var (h, answerer, metrics) = await StartedAsync();
        await using (h)
        using (answerer)
        using (metrics)
        {
            // The first question spends the user's one token; the answer is public (deferred, then the @original edit).
            var first = await CallbackAsync(h, h.Fake.NewInteraction(2, Command("ask", "question", CorpusQuestions.Chat.HighRisk)));
            Assert.Equal(5, first["type"]!.GetValue<int>());
            var answer = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH", Slow);
            Assert.NotNull(answer.Json!["components"]);

            var refused = h.Fake.NewInteraction(2, Command(command, option, value));
            var callback = await CallbackAsync(h, refused);
            Assert.Equal(4, callback["type"]!.GetValue<int>());
            var data = callback["data"]!;
            Assert.Equal(64, data["flags"]!.GetValue<int>());
            Assert.StartsWith("You're asking faster than I can keep up with", data["content"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Null(data["components"]);
            Assert.Null(data["embeds"]);
            Assert.Empty(data["allowed_mentions"]!["parse"]!.AsArray());

            // Nothing public follows: no edit of an @original, no follow-up for the refused interaction.
            await h.PassAsync(TimeSpan.FromSeconds(2));
            var token = refused["token"]!.GetValue<string>();
            Assert.DoesNotContain(h.Fake.Requests, r => r.Path.StartsWith("/webhooks/", StringComparison.Ordinal) && r.Path.Contains(token, StringComparison.Ordinal));
            Assert.Empty(h.Fake.Violations);
        }
    }

    [Fact]
    public async Task RateLimited_Mention_OneShortReplyWithoutButtonsOrThread()
    {
        var (h, answerer, metrics) = await StartedAsync(o => o.UseThreads = true);
        await using (h)
        using (answerer)
        using (metrics)
        {
            var mention = $"<@{FakeDiscord.BotUserId}> ";
            await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), mention + CorpusQuestions.Chat.HighRisk, mentionsBot: true));
            await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/threads", StringComparison.Ordinal), Slow);
            await BotHarness.WaitUntilAsync(() => h.Adapter.PendingTurns == 0, realSeconds: 60);
            var before = h.Fake.Messages.Count;

            await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), mention + CorpusQuestions.Chat.Fines, mentionsBot: true));
            await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Count > before, realSeconds: 60);
            await BotHarness.WaitUntilAsync(() => h.Adapter.PendingTurns == 0, realSeconds: 60);
            await h.PassAsync(TimeSpan.FromSeconds(2));

            var replies = h.Fake.Messages.Skip(before).ToList();
            var reply = Assert.Single(replies);
            Assert.StartsWith("You're asking faster than I can keep up with", reply.Body["content"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(reply.Body["content"]!.GetValue<string>().Length < 200);
            Assert.Null(reply.Body["components"]);
            Assert.Null(reply.Body["embeds"]);
            Assert.NotNull(reply.Body["message_reference"]);
            Assert.Single(h.Fake.Requests, r => r.Path.EndsWith("/threads", StringComparison.Ordinal)); // the answer's thread only
            Assert.Empty(h.Fake.Violations);
        }
    }

    [Fact]
    public async Task ChannelOutsideAllowList_PublicSlashRefusedEphemerally_PrivateAnswered()
    {
        await using var h = await BotHarness.CreateAsync(factor: Factor);
        await h.StartAsync();
        await h.Store.SetAnswerChannelsAsync("discord", Guild, ["440000000000000001"], CancellationToken.None);

        var callback = await CallbackAsync(h, h.Fake.NewInteraction(2, Command("ask", "question", CorpusQuestions.Chat.Fines), channelId: Channel));
        Assert.Equal(4, callback["type"]!.GetValue<int>());
        Assert.Equal(64, callback["data"]!["flags"]!.GetValue<int>());
        Assert.Equal("This server has me answer in <#440000000000000001>. Ask there, or add `private: True` to get the answer here, visible only to you.", callback["data"]!["content"]!.GetValue<string>());
        Assert.Null(callback["data"]!["components"]);
        Assert.Empty(h.Recorder!.Questions); // refused before any search

        var privately = await CallbackAsync(h, h.Fake.NewInteraction(2, Command("ask", "question", CorpusQuestions.Chat.Fines, isPrivate: true), channelId: Channel));
        Assert.Equal(5, privately["type"]!.GetValue<int>());
        Assert.Equal(64, privately["data"]!["flags"]!.GetValue<int>());
        var answer = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH", Slow);
        Assert.Contains("35 million euros", answer.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);

        var allowed = await CallbackAsync(h, h.Fake.NewInteraction(2, Command("ask", "question", CorpusQuestions.Chat.Fines), channelId: "440000000000000001"));
        Assert.Equal(5, allowed["type"]!.GetValue<int>());
        Assert.Null(allowed["data"]!["flags"]);
        Assert.Empty(h.Fake.Violations);
    }
}
