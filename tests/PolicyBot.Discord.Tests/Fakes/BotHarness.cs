using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord.Tests.Fakes;

/// <summary>A fake Discord plus the real bot (REST client, gateway clients, adapter) pointed at it.</summary>
internal sealed class BotHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new();
    private readonly ILoggerFactory _loggerFactory;

    private BotHarness(FakeDiscord fake, AcceleratedTimeProvider time, IQuestionAnswerer answerer, ICorpusCatalog catalog, DiscordOptions options, Func<GatewayClientOptions, GatewayClientOptions>? tune, int seed)
    {
        Fake = fake;
        Time = time;
        Options = options;
        Answerer = answerer;
        Logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Metrics = new DiscordMetrics();
        State = new DiscordConnectionState();
        Rest = new DiscordRestClient(_http, options, time, _loggerFactory.CreateLogger<DiscordRestClient>(), Metrics);
        Adapter = new DiscordAdapter(Rest, answerer, catalog, Feedback, Settings, options, time, _loggerFactory.CreateLogger<DiscordAdapter>(), Metrics);
        Bot = new DiscordBot(options, Rest, Adapter, static () => new ClientWebSocketTransport(), time, _loggerFactory, Metrics, State, new Random(seed))
        {
            TuneGateway = tune ?? (static o => o),
        };
    }

    public FakeDiscord Fake { get; }

    public AcceleratedTimeProvider Time { get; }

    public DiscordOptions Options { get; }

    public IQuestionAnswerer Answerer { get; }

    public ScriptedAnswerer? Scripted => Answerer as ScriptedAnswerer;

    public CapturingLoggerProvider Logs { get; }

    public DiscordMetrics Metrics { get; }

    public DiscordConnectionState State { get; }

    internal DiscordRestClient Rest { get; }

    internal DiscordAdapter Adapter { get; }

    internal DiscordBot Bot { get; }

    public InMemoryServerSettingsStore Settings { get; } = new();

    public RecordingFeedbackSink Feedback { get; } = new();

    public Task? Run { get; private set; }

    /// <summary>The first gateway connection (after Hello/Identify/READY when the fake auto-readies).</summary>
    public FakeGatewayConnection? Connection { get; private set; }

    public static async Task<BotHarness> CreateAsync(
        double factor = 20,
        Action<FakeDiscord>? configureFake = null,
        Action<DiscordOptions>? configureOptions = null,
        IQuestionAnswerer? answerer = null,
        ICorpusCatalog? catalog = null,
        Func<GatewayClientOptions, GatewayClientOptions>? tuneGateway = null,
        int seed = 42)
    {
        var time = new AcceleratedTimeProvider(factor);
        var fake = await FakeDiscord.StartAsync(time);
        configureFake?.Invoke(fake);
        var options = new DiscordOptions { Token = FakeDiscord.Token, ApplicationId = FakeDiscord.ApplicationId, ApiBaseUrl = fake.ApiBaseUrl, UseThreads = false };
        configureOptions?.Invoke(options);
        var scripted = answerer is null ? new ScriptedAnswerer(time) : null;
        return new BotHarness(fake, time, answerer ?? scripted!, catalog ?? scripted ?? (ICorpusCatalog)answerer!, options, tuneGateway, seed);
    }

    /// <summary>Starts the bot and, when <paramref name="waitForReady"/>, waits for the first connection's READY.</summary>
    public async Task StartAsync(bool waitForReady = true)
    {
        Run = Task.Run(() => Bot.RunAsync(_stop.Token));
        if (waitForReady)
        {
            Connection = await Fake.NextConnectionAsync();
            await WaitUntilAsync(() => Bot.Shards.Count > 0 && Bot.Shards[0].SessionId is not null);
        }
    }

    public async Task<FakeGatewayConnection> ConnectAsync()
    {
        Run = Task.Run(() => Bot.RunAsync(_stop.Token));
        Connection = await Fake.NextConnectionAsync();
        return Connection;
    }

    /// <summary>Dispatches a MESSAGE_CREATE on the live connection.</summary>
    public Task<long> DispatchMessageAsync(JsonObject message) => Connection!.DispatchAsync("MESSAGE_CREATE", message);

    public Task<long> DispatchInteractionAsync(JsonObject interaction) => Connection!.DispatchAsync("INTERACTION_CREATE", interaction);

    /// <summary>Waits (real time) for <paramref name="condition"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, double realSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(realSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Lets <paramref name="virtualTime"/> pass.</summary>
    public Task PassAsync(TimeSpan virtualTime) => Task.Delay(Time.Scale(virtualTime));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (Run is not null)
        {
            try
            {
                await Run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is OperationCanceledException or GatewayFatalException or DiscordHttpException)
            {
                // Tests that expect a failure inspect Run themselves.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Fake.DisposeAsync();
        _http.Dispose();
        _loggerFactory.Dispose();
        Metrics.Dispose();
        _stop.Dispose();
    }
}
