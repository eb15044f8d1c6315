using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Data.Sqlite;
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
    private readonly HttpClient _http = new();
    private readonly ILoggerFactory _loggerFactory;

    private BotHarness(FakeDiscord fake, AcceleratedTimeProvider time, IQuestionAnswerer answerer, ICorpusCatalog catalog, SqliteBotStore store, DiscordOptions options, Func<GatewayClientOptions, GatewayClientOptions>? tune, int seed)
    {
        Fake = fake;
        Store = store;
        Time = time;
        Options = options;
        Answerer = answerer;
        Logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
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

    public AcceleratedTimeProvider Time { get; }

    public DiscordOptions Options { get; }

    public IQuestionAnswerer Answerer { get; }

    /// <summary>The recording decorator around the real engine (null when a test passed its own answerer).</summary>
    public RecordingAnswerer? Recorder => Answerer as RecordingAnswerer;

    public CapturingLoggerProvider Logs { get; }

    public DiscordMetrics Metrics { get; }

    public DiscordConnectionState State { get; }

    internal DiscordRestClient Rest { get; }

    internal DiscordAdapter Adapter { get; }

    internal DiscordBot Bot { get; }

    /// <summary>The real SQLite store (feedback sink and server settings) on this harness's own temp file.</summary>
    public SqliteBotStore Store { get; }

    /// <summary>Every feedback row in the state file, oldest first, read back from the SQLite file itself.</summary>
    /// <summary>The feedback rows once at least <paramref name="count"/> are stored (the adapter acknowledges the click first, then writes).</summary>
    public async Task<IReadOnlyList<Feedback>> WaitForFeedbackAsync(int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var rows = await ReadFeedbackAsync();
            if (rows.Count >= count || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(20);
        }
    }

    public async Task<IReadOnlyList<Feedback>> ReadFeedbackAsync()
    {
        var rows = new List<Feedback>();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Store.FilePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT answer_id, platform, user_id, reaction, comment, at_us FROM feedback ORDER BY id;";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Feedback(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                Enum.Parse<FeedbackReaction>(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(5) * 10)));
        }

        return rows;
    }

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
        string? stateFile = null)
    {
        var time = new AcceleratedTimeProvider(factor);
        var fake = await FakeDiscord.StartAsync(time);
        configureFake?.Invoke(fake);
        var options = new DiscordOptions { Token = FakeDiscord.Token, ApplicationId = FakeDiscord.ApplicationId, ApiBaseUrl = fake.ApiBaseUrl, UseThreads = false };
        configureOptions?.Invoke(options);
        var engine = await TestCorpus.EngineAsync();
        var store = new SqliteBotStore(stateFile ?? TestCorpus.NewStateFile());
        await store.MigrateAsync(CancellationToken.None);
        return new BotHarness(fake, time, answerer ?? new RecordingAnswerer(engine, time), catalog ?? engine, store, options, tuneGateway, seed);
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
