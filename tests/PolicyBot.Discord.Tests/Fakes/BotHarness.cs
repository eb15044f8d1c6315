using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Rest;
using PolicyBot.State.Sqlite;

namespace PolicyBot.Discord.Tests.Fakes;

/// <summary>
/// A fake Discord plus the real bot (REST client, gateway clients, adapter) pointed at it, answering with the real
/// engine over <see cref="TestCorpus"/> (through a <see cref="RecordingAnswerer"/>) and keeping feedback and server
/// settings in a real SQLite state file of its own.
/// </summary>
internal sealed class BotHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ServiceProvider _services;
    private readonly HttpClient _http;
    private readonly ILoggerFactory _loggerFactory;

    private BotHarness(FakeDiscord fake, TimeProvider time, DelayingAnswerer delaying, IQuestionAnswerer answerer, ICorpusCatalog catalog, SqliteBotStore store, DiscordOptions options, Func<GatewayClientOptions, GatewayClientOptions>? tune, int seed)
    {
        Delaying = delaying;
        Fake = fake;
        Store = store;
        Clock = time;
        Options = options;
        Answerer = answerer;
        Logs = new CapturingLoggerProvider();
        // The REST client's HttpClient as the bot gets it: IHttpClientFactory with the resilience pipeline, on the
        // harness's clock, every log (Trace included) captured so the secret checks see everything.
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        // Polly's per-request Debug telemetry is left out here (it names no request; the host-level Trace test in
        // OptionsAndHostingTests captures it); its retry warnings stay.
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace).AddFilter("Polly", LogLevel.Information));
        DiscordHttp.Add(services);
        _services = services.BuildServiceProvider();
        _loggerFactory = _services.GetRequiredService<ILoggerFactory>();
        _http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(DiscordHttp.ClientName);
        Metrics = new DiscordMetrics();
        State = new DiscordConnectionState();
        Rest = new DiscordRestClient(_http, options, time, _loggerFactory.CreateLogger<DiscordRestClient>(), Metrics);
        Adapter = new DiscordAdapter(Rest, answerer, catalog, store, store, store, store, options, time, _loggerFactory.CreateLogger<DiscordAdapter>(), Metrics);
        Bot = new DiscordBot(options, Rest, Adapter, static () => new ClientWebSocketTransport(), time, _loggerFactory, Metrics, State, new Random(seed))
        {
            TuneGateway = tune ?? (static o => o),
        };
    }

    public FakeDiscord Fake { get; }

    /// <summary>The clock the fake and the bot share: accelerated real time, or a <see cref="SteppedClock"/> the test moves.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The accelerated clock (the harness was created with a factor, not a stepped clock).</summary>
    public AcceleratedTimeProvider Time => Clock as AcceleratedTimeProvider ?? throw new InvalidOperationException("this harness runs on a stepped clock: use Clock");

    public DiscordOptions Options { get; }

    public IQuestionAnswerer Answerer { get; }

    /// <summary>The recording decorator around the real engine (null when a test passed its own answerer).</summary>
    public RecordingAnswerer? Recorder => Answerer as RecordingAnswerer;

    /// <summary>Holds the real engine's answer back (virtual-time delay or a gate) behind <see cref="Recorder"/>; off by default.</summary>
    public DelayingAnswerer Delaying { get; }

    public CapturingLoggerProvider Logs { get; }

    public DiscordMetrics Metrics { get; }

    public DiscordConnectionState State { get; }

    internal DiscordRestClient Rest { get; }

    internal DiscordAdapter Adapter { get; }

    internal DiscordBot Bot { get; }

    /// <summary>The real SQLite store (feedback sink and server settings) on this harness's own temp file.</summary>
    public SqliteBotStore Store { get; }

    /// <summary>The feedback rows once at least <paramref name="count"/> are stored (the adapter acknowledges the click first, then writes).</summary>
    public Task<IReadOnlyList<Feedback>> WaitForFeedbackAsync(int count = 1) => StoreReadBack.WaitForFeedbackAsync(Store, count);

    /// <summary>Every feedback row in the state file, in the order it was recorded, read back through the store's query interface.</summary>
    public Task<IReadOnlyList<Feedback>> ReadFeedbackAsync() => StoreReadBack.FeedbackAsync(Store);

    public Task? Run { get; private set; }

    /// <summary>The first gateway connection (after Hello/Identify/READY when the fake auto-readies).</summary>
    public FakeGatewayConnection? Connection { get; private set; }

    /// <summary>Leave the state file on dispose (a restart test opens it again with a new harness).</summary>
    public bool KeepStateFile { get; set; }

    public static async Task<BotHarness> CreateAsync(
        double factor = 20,
        Action<FakeDiscord>? configureFake = null,
        Action<DiscordOptions>? configureOptions = null,
        IQuestionAnswerer? answerer = null,
        ICorpusCatalog? catalog = null,
        Func<GatewayClientOptions, GatewayClientOptions>? tuneGateway = null,
        int seed = 42,
        string? stateFile = null,
        TimeProvider? clock = null)
    {
        var time = clock ?? new AcceleratedTimeProvider(factor);
        var fake = await FakeDiscord.StartAsync(time);
        configureFake?.Invoke(fake);
        var options = new DiscordOptions { Token = FakeDiscord.Token, ApplicationId = FakeDiscord.ApplicationId, ApiBaseUrl = fake.ApiBaseUrl, UseThreads = false };
        configureOptions?.Invoke(options);
        var engine = await TestCorpus.SharedAsync(CorpusSet.Chat);
        var store = new SqliteBotStore(stateFile ?? TestCorpus.NewStateFile());
        await store.MigrateAsync(CancellationToken.None);
        var delaying = new DelayingAnswerer(engine, time);
        return new BotHarness(fake, time, delaying, answerer ?? new RecordingAnswerer(delaying), catalog ?? engine, store, options, tuneGateway, seed);
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
        await _services.DisposeAsync();
        Store.Dispose();
        if (KeepStateFile)
        {
            Metrics.Dispose();
            _stop.Dispose();
            return;
        }

        foreach (var file in new[] { Store.FilePath, Store.FilePath + "-wal", Store.FilePath + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Left for the process-exit cleanup of the temp folder.
            }
        }

        Metrics.Dispose();
        _stop.Dispose();
    }
}
