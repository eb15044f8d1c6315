using System.Text.Json.Nodes;
using PolicyBot.Core;
using PolicyBot.Search;

namespace PolicyBot.Teams.Tests.Fakes;

/// <summary>Fake Bot Framework + bot endpoint + token minter for one test.</summary>
public sealed class TeamsTestContext : IAsyncDisposable
{
    public const string BotId = "28:" + BotHost.AppId;

    private TeamsTestContext(ManualClock clock, FakeBotFramework fake, PolicyBotEngine engine, FeedbackStore feedback)
    {
        Clock = clock;
        Fake = fake;
        Minter = new TokenMinter(clock);
        Engine = engine;
        Feedback = feedback;
        Faults = new FaultInjectingAnswerer(engine);
        Delaying = new DelayingAnswerer(Faults, clock);
        Answerer = new RecordingAnswerer(Delaying);
    }

    public ManualClock Clock { get; }

    public FakeBotFramework Fake { get; }

    public BotHost Bot { get; private set; } = null!;

    public TokenMinter Minter { get; }

    public FakeSigningKey Key { get; private set; } = null!;

    /// <summary>The real engine over the shared temp corpus (also the bot's corpus catalog).</summary>
    public PolicyBotEngine Engine { get; }

    /// <summary>What the bot calls: recording → delaying → fault injecting → the real engine.</summary>
    public RecordingAnswerer Answerer { get; }

    /// <summary>Slows the real engine down (off by default).</summary>
    public DelayingAnswerer Delaying { get; }

    /// <summary>Makes the answer path fail (off by default).</summary>
    public FaultInjectingAnswerer Faults { get; }

    /// <summary>The real SQLite store on a temp file, as the feedback sink.</summary>
    public FeedbackStore Feedback { get; }

    public static async Task<TeamsTestContext> StartAsync(Action<BotHost.Settings>? configure = null, Action<FakeBotFramework>? configureFake = null)
    {
        var clock = new ManualClock();
        var fake = await FakeBotFramework.StartAsync(clock);
        var ctx = new TeamsTestContext(clock, fake, await TestCorpus.SharedAsync(), await FeedbackStore.CreateAsync());
        ctx.Key = fake.AddKey("key-1", "msteams", "webchat");
        fake.ExpectedClientId = BotHost.AppId;
        fake.ExpectedClientSecret = BotHost.AppPassword;
        configureFake?.Invoke(fake);
        var settings = new BotHost.Settings { Answerer = ctx.Answerer, Catalog = ctx.Engine, Feedback = ctx.Feedback.Store };
        configure?.Invoke(settings);
        try
        {
            ctx.Bot = await BotHost.StartAsync(fake, clock, settings);
        }
        catch
        {
            await fake.DisposeAsync();
            await ctx.Feedback.DisposeAsync();
            throw;
        }

        return ctx;
    }

    /// <summary>A valid Connector token spec for this fake (tweak before minting).</summary>
    public TokenMinter.Spec ValidSpec(string? serviceUrl = null) => Minter.Connector(Key, BotHost.AppId, serviceUrl ?? Fake.ServiceUrl);

    public string Bearer(TokenMinter.Spec? spec = null) => "Bearer " + TokenMinter.Mint(spec ?? ValidSpec());

    public Task<HttpResponseMessage> PostAsync(JsonObject activity, TokenMinter.Spec? spec = null) => Bot.PostAsync(activity, Bearer(spec));

    public JsonObject Personal(string text, string? id = null) => Activities.Message(Fake.ServiceUrl, "personal", "a:1Xpersonal-conv", text, id);

    public JsonObject GroupChat(string text, bool mention = true, string? id = null) =>
        Activities.WithBotMention(Activities.Message(Fake.ServiceUrl, "groupChat", "19:group-chat-id@thread.v2", mention ? "<at>PolicyBot</at> " + text : text, id), mention);

    public JsonObject Channel(string text, bool mention = true, string? id = null) =>
        Activities.WithBotMention(Activities.Message(Fake.ServiceUrl, "channel", "19:abc123@thread.tacv2;messageid=1632474074231", mention ? "<at>PolicyBot</at> " + text : text, id), mention);

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Fake.DisposeAsync();
        await Feedback.DisposeAsync();
    }
}

/// <summary>Inbound activity builders shaped like Teams' (teams-bot-framework.md §2).</summary>
public static class Activities
{
    public static JsonObject Message(string serviceUrl, string conversationType, string conversationId, string text, string? id = null)
    {
        var activity = Base("message", serviceUrl, conversationType, conversationId, id);
        activity["text"] = text;
        activity["textFormat"] = "plain";
        activity["entities"] = new JsonArray(new JsonObject { ["type"] = "clientInfo", ["locale"] = "en-US", ["platform"] = "Web" });
        return activity;
    }

    public static JsonObject Base(string type, string serviceUrl, string conversationType = "personal", string conversationId = "a:1Xpersonal-conv", string? id = null)
    {
        var channelData = new JsonObject { ["tenant"] = new JsonObject { ["id"] = BotHost.TenantId } };
        if (conversationType == "channel")
        {
            channelData["team"] = new JsonObject { ["id"] = "19:team@thread.tacv2" };
            channelData["channel"] = new JsonObject { ["id"] = "19:abc123@thread.tacv2" };
        }

        return new JsonObject
        {
            ["type"] = type,
            ["id"] = id ?? Guid.NewGuid().ToString("N")[..13],
            ["timestamp"] = "2026-11-22T01:00:00.000Z",
            ["serviceUrl"] = serviceUrl,
            ["channelId"] = "msteams",
            ["from"] = new JsonObject { ["id"] = "29:1XJKuser", ["name"] = "Megan Bowen", ["aadObjectId"] = "7faf8ab2-0000-4000-8000-000000000001" },
            ["recipient"] = new JsonObject { ["id"] = TeamsTestContext.BotId, ["name"] = "PolicyBot" },
            ["conversation"] = new JsonObject
            {
                ["id"] = conversationId,
                ["conversationType"] = conversationType,
                ["tenantId"] = BotHost.TenantId,
                ["isGroup"] = conversationType != "personal",
            },
            ["channelData"] = channelData,
            ["locale"] = "en-US",
        };
    }

    public static JsonObject WithBotMention(JsonObject activity, bool botMentioned, string otherId = "29:someone-else", string otherName = "Adele")
    {
        var entities = activity["entities"]!.AsArray();
        entities.Add(botMentioned
            ? new JsonObject { ["type"] = "mention", ["mentioned"] = new JsonObject { ["id"] = TeamsTestContext.BotId, ["name"] = "PolicyBot" }, ["text"] = "<at>PolicyBot</at>" }
            : new JsonObject { ["type"] = "mention", ["mentioned"] = new JsonObject { ["id"] = otherId, ["name"] = otherName }, ["text"] = $"<at>{otherName}</at>" });
        return activity;
    }

    public static JsonObject Invoke(string serviceUrl, string name, JsonNode? value, string? replyToId = null)
    {
        var activity = Base("invoke", serviceUrl);
        activity["name"] = name;
        activity["value"] = value;
        if (replyToId is not null)
        {
            activity["replyToId"] = replyToId;
        }

        return activity;
    }
}
