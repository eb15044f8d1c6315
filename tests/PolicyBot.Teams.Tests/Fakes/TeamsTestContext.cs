using System.Text.Json.Nodes;
using PolicyBot.Core;
using PolicyBot.Search;

namespace PolicyBot.Teams.Tests.Fakes;

/// <summary>Fake Bot Framework + bot endpoint + token minter for one test.</summary>
public sealed class TeamsTestContext : IAsyncDisposable
{
    public const string BotId = TeamsCredentials.BotId;

    private TeamsTestContext(ManualClock clock, FakeBotFramework fake, PolicyBotEngine engine, TempStateStore feedback)
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
    public TempStateStore Feedback { get; }

    /// <summary>
    /// Waits until the whole answer has been delivered (answers are text messages only; the citation pop-ups carry the
    /// sources, so there is no trailing card to wait for): the last answer message ends the recorded answer's text, or,
    /// when the test replaced the recording answerer, no further message arrives for half a second.
    /// </summary>
    public async Task<IReadOnlyList<ConnectorCall>> WaitForAnswerAsync(TimeSpan? timeout = null)
    {
        static bool IsText(ConnectorCall c) => c.Type == "message" && c.Body["attachments"] is null && c.Status is >= 200 and < 300;
        var delivered = await Fake.WaitForAsync(
            d => d.Any(IsText) && (Answerer.Answers.LastOrDefault() is not { } answer
                || (d.Last(IsText).Text is { Length: > 0 } last && answer.Text.TrimEnd().EndsWith(last.TrimEnd(), StringComparison.Ordinal))),
            timeout);
        if (!Answerer.Answers.IsEmpty)
        {
            return delivered;
        }

        while (true)
        {
            var count = Fake.Calls.Count;
            await Task.Delay(500);
            if (Fake.Calls.Count == count)
            {
                return Fake.Calls.ToList();
            }
        }
    }

    public static async Task<TeamsTestContext> StartAsync(Action<BotHost.Settings>? configure = null, Action<FakeBotFramework>? configureFake = null)
    {
        var clock = new ManualClock();
        var fake = await FakeBotFramework.StartAsync(clock);
        var ctx = new TeamsTestContext(clock, fake, await TestCorpus.SharedAsync(CorpusSet.Teams), await TempStateStore.CreateAsync());
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
