using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord;

/// <summary>
/// Runs the bot: asks <c>GET /gateway/bot</c> for the URL, shard count and session-start budget, starts the shards
/// in order (each after the previous one identified), and ends on cancellation, a fatal close or a rejected token.
/// </summary>
internal sealed partial class DiscordBot
{
    private readonly DiscordOptions _options;
    private readonly DiscordRestClient _rest;
    private readonly DiscordAdapter _adapter;
    private readonly Func<IGatewayTransport> _transportFactory;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly DiscordMetrics _metrics;
    private readonly DiscordConnectionState _state;
    private readonly Random _random;
    private readonly List<GatewayClient> _shards = [];

    public DiscordBot(
        DiscordOptions options,
        DiscordRestClient rest,
        DiscordAdapter adapter,
        Func<IGatewayTransport> transportFactory,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        DiscordMetrics metrics,
        DiscordConnectionState state,
        Random? random = null)
    {
        _options = options;
        _rest = rest;
        _adapter = adapter;
        _transportFactory = transportFactory;
        _time = time;
        _loggerFactory = loggerFactory;
        _metrics = metrics;
        _state = state;
        _random = random ?? new Random();
    }

    /// <summary>Adjusts per-shard gateway settings (tests shorten backoff).</summary>
    public Func<GatewayClientOptions, GatewayClientOptions> TuneGateway { get; init; } = static o => o;

    public IReadOnlyList<GatewayClient> Shards => _shards;

    public DiscordAdapter Adapter => _adapter;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var gatewayBot = await _rest.GetGatewayBotAsync(cancellationToken).ConfigureAwait(false);
        var count = _options.ShardCount ?? Math.Max(1, gatewayBot.Shards);
        if (_options.ShardId is { } only && only >= count)
        {
            var shardSetting = _options.SettingName(nameof(DiscordOptions.ShardId));
            throw new GatewayFatalException($"{shardSetting}={only} is not below the shard count {count}; set {shardSetting} to 0..{count - 1}.");
        }

        IReadOnlyList<int> ids = _options.ShardId is { } id ? [id] : Enumerable.Range(0, count).ToList();
        var gate = new IdentifyGate(gatewayBot.SessionStartLimit, _time);
        var gatewayUrl = new Uri(gatewayBot.Url);
        Log.Starting(_loggerFactory.CreateLogger<DiscordBot>(), ids.Count, count, gatewayBot.SessionStartLimit.Remaining, gatewayBot.SessionStartLimit.MaxConcurrency);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = new List<Task>();
        try
        {
            foreach (var shardId in ids)
            {
                var client = new GatewayClient(
                    TuneGateway(new GatewayClientOptions { Token = _options.Token, Intents = _options.Intents, ShardId = shardId, ShardCount = count, SettingName = _options.SettingName }),
                    _transportFactory,
                    gate,
                    _adapter.HandleDispatchAsync,
                    _time,
                    _random,
                    _loggerFactory.CreateLogger<GatewayClient>(),
                    _metrics,
                    _state);
                _shards.Add(client);
                _state.SetShard(shardId, false);
                var run = client.RunAsync(gatewayUrl, stop.Token);
                runs.Add(run);

                // Start shards in order: the next one only after this one identified (or ended).
                await Task.WhenAny(client.FirstIdentifySent, run, _rest.Unauthorized, Task.Delay(Timeout.InfiniteTimeSpan, stop.Token)).ConfigureAwait(false);
                if (run.IsCompleted || _rest.Unauthorized.IsCompleted || stop.IsCancellationRequested)
                {
                    break;
                }
            }

            var finished = await Task.WhenAny(runs.Append(_rest.Unauthorized)).ConfigureAwait(false);
            if (finished == _rest.Unauthorized)
            {
                throw _rest.Unauthorized.Result;
            }

            await finished.ConfigureAwait(false); // rethrows a fatal close
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(runs).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is GatewayFatalException or OperationCanceledException)
            {
                // Already reported by the shard that failed.
            }

            await _adapter.DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(301, LogLevel.Information, "Starting {Shards} of {ShardCount} Discord shards ({Remaining} identifies left, max_concurrency {MaxConcurrency})")]
        public static partial void Starting(ILogger logger, int shards, int shardCount, int remaining, int maxConcurrency);
    }
}

/// <summary>The hosted service for the bot. A fatal gateway close or a rejected token stops the host with exit code 1.</summary>
internal sealed partial class DiscordBotService(
    DiscordBot bot,
    DiscordConnectionState state,
    IHostApplicationLifetime lifetime,
    Microsoft.Extensions.Options.IOptions<DiscordOptions> options,
    ILogger<DiscordBotService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await bot.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
        catch (GatewayFatalException ex)
        {
            Fatal(ex.Message, ex);
        }
        catch (DiscordHttpException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            Fatal($"Discord rejected the bot token (HTTP 401): set {options.Value.SettingName(nameof(DiscordOptions.Token))} to the bot token from the Developer Portal (Bot page).", ex);
        }
        catch (Exception ex)
        {
            Fatal("The Discord bot stopped unexpectedly: " + ex.Message, ex);
        }
    }

    private void Fatal(string message, Exception exception)
    {
        state.SetFatal(message);
        Log.Fatal(logger, message, exception);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private static partial class Log
    {
        [LoggerMessage(401, LogLevel.Critical, "Discord bot stopped: {OperatorMessage}")]
        public static partial void Fatal(ILogger logger, string operatorMessage, Exception exception);
    }
}
