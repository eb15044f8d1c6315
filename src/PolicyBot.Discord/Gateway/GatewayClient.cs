using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Gateway;

/// <summary>A dispatch (op 0) handed to the adapter. Handlers must return quickly: they run on the receive loop.</summary>
internal sealed record GatewayDispatch(string Type, JsonElement Data, long? Sequence, int ShardId);

internal sealed class GatewayClientOptions
{
    public required string Token { get; init; }

    public int Intents { get; init; } = (int)GatewayIntents.QuestionAnswering;

    public int ShardId { get; init; }

    public int ShardCount { get; init; } = 1;

    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection that lived this long resets the backoff.</summary>
    public TimeSpan HealthyConnection { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How fatal-close messages name a setting (<see cref="DiscordOptions.SettingName"/>).</summary>
    public Func<string, string> SettingName { get; init; } = static property => nameof(DiscordOptions) + "." + property;
}

/// <summary>
/// The gateway API client for one shard: Hello/heartbeat (jitter, ACK zombie detection), Identify/Resume,
/// op 7/op 9, close-code classification, capped backoff with jitter, send budget and frame-size limits.
/// Session state (session id, resume URL, seq) lives here, outside each connection, so reconnects resume.
/// </summary>
internal sealed partial class GatewayClient
{
    public const int MaxFrameBytes = 4096;
    private const int ClientReconnectCloseCode = 4900;

    private readonly GatewayClientOptions _options;
    private readonly Func<IGatewayTransport> _transportFactory;
    private readonly IdentifyGate _identifyGate;
    private readonly Func<GatewayDispatch, CancellationToken, ValueTask> _dispatchHandler;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly DiscordMetrics _metrics;
    private readonly DiscordConnectionState _state;
    private readonly Backoff _backoff;
    private readonly TaskCompletionSource _firstIdentify = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence = -1;
    private Connection? _current;

    public GatewayClient(
        GatewayClientOptions options,
        Func<IGatewayTransport> transportFactory,
        IdentifyGate identifyGate,
        Func<GatewayDispatch, CancellationToken, ValueTask> dispatchHandler,
        TimeProvider time,
        Random random,
        ILogger logger,
        DiscordMetrics metrics,
        DiscordConnectionState state)
    {
        _options = options;
        _transportFactory = transportFactory;
        _identifyGate = identifyGate;
        _dispatchHandler = dispatchHandler;
        _time = time;
        _random = random;
        _logger = logger;
        _metrics = metrics;
        _state = state;
        _backoff = new Backoff(options.BackoffBase, options.BackoffCap, random);
    }

    public int ShardId => _options.ShardId;

    public string? SessionId { get; private set; }

    public string? ResumeGatewayUrl { get; private set; }

    /// <summary>The last non-null <c>s</c> received, or null before the first dispatch of a session.</summary>
    public long? Sequence
    {
        get
        {
            var s = Interlocked.Read(ref _sequence);
            return s < 0 ? null : s;
        }
    }

    public string? UserId { get; private set; }

    public string? ApplicationId { get; private set; }

    /// <summary>Completes when the first Identify of this shard has been sent (used to start shards in order).</summary>
    public Task FirstIdentifySent => _firstIdentify.Task;

    /// <summary>Completes at the first READY.</summary>
    public Task Ready => _ready.Task;

    /// <summary>
    /// Connects and keeps the session alive until <paramref name="cancellationToken"/> fires (then closes with 1000)
    /// or a fatal close code arrives (then throws <see cref="GatewayFatalException"/>).
    /// </summary>
    public async Task RunAsync(Uri gatewayUrl, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var resume = SessionId is not null && ResumeGatewayUrl is not null;
            var url = resume ? new Uri(ResumeGatewayUrl!) : gatewayUrl;
            var started = _time.GetTimestamp();
            Outcome outcome;
            try
            {
                outcome = await RunConnectionAsync(url, resume, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                _state.SetShard(_options.ShardId, false);
            }

            if (outcome.Action == ReconnectAction.Fatal)
            {
                var fatal = new GatewayFatalException(outcome.CloseCode ?? 0, _options.SettingName);
                Log.FatalClose(_logger, _options.ShardId, outcome.CloseCode ?? 0, fatal.Message);
                throw fatal;
            }

            if (outcome.Action == ReconnectAction.Identify)
            {
                SessionId = null;
                ResumeGatewayUrl = null;
                Interlocked.Exchange(ref _sequence, -1);
            }

            if (_time.GetElapsedTime(started) >= _options.HealthyConnection)
            {
                attempt = 0;
            }

            if (outcome.Zombie)
            {
                // The connection was up long enough to miss an ACK (a full heartbeat interval): it was not a
                // connect-fail loop, so the session is resumed at once, whatever earlier reconnects cost.
                attempt = 0;
            }

            var delay = outcome.Immediate && attempt == 0 ? TimeSpan.Zero : _backoff.Next(attempt);
            attempt++;
            if (outcome.InvalidSessionWait)
            {
                // Pre-2022 docs: wait a random 1–5 s before re-identifying after op 9; it also spaces identifies.
                var wait = TimeSpan.FromMilliseconds(1000 + (_random.NextDouble() * 4000));
                delay = delay > wait ? delay : wait;
            }

            _metrics.RecordReconnect(outcome.Action == ReconnectAction.Resume ? "resume" : "identify");
            Log.Reconnecting(_logger, _options.ShardId, outcome.Reason, outcome.CloseCode, outcome.Action, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends an arbitrary op on the current connection, through the send budget (used for presence and tests).</summary>
    public async Task SendOpAsync<T>(GatewayOpCode op, T data, CancellationToken cancellationToken)
    {
        var connection = _current ?? throw new InvalidOperationException("The gateway is not connected.");
        await connection.SendAsync(op, data, heartbeat: false, cancellationToken).ConfigureAwait(false);
    }

    private static Uri WithQuery(Uri url)
    {
        var builder = new UriBuilder(url) { Query = "v=10&encoding=json" };
        if (string.IsNullOrEmpty(builder.Path))
        {
            builder.Path = "/";
        }

        return builder.Uri;
    }

    private async Task<Outcome> RunConnectionAsync(Uri url, bool resume, CancellationToken cancellationToken)
    {
        var transport = _transportFactory();
        await using (transport.ConfigureAwait(false))
        {
            try
            {
                await transport.ConnectAsync(WithQuery(url), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
            {
                Log.ConnectFailed(_logger, _options.ShardId, url.GetLeftPart(UriPartial.Authority), ex);
                return new Outcome(resume ? ReconnectAction.Resume : ReconnectAction.Identify, null, "connect failed");
            }

            // Not linked to the stop token: cancelling a pending ClientWebSocket receive aborts the socket, and a
            // shutdown must first send close 1000. The stop token starts that close; the receive loop then ends.
            using var connectionCts = new CancellationTokenSource();
            var connection = new Connection(this, transport, connectionCts);
            _current = connection;
            var stopping = cancellationToken.Register(static state => ((Connection)state!).BeginShutdown(), connection);
            try
            {
                return await connection.ReceiveLoopAsync(resume, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stopping.DisposeAsync().ConfigureAwait(false);
                _current = null;
                await connectionCts.CancelAsync().ConfigureAwait(false);
                await connection.StopAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record Outcome(ReconnectAction Action, int? CloseCode, string Reason)
    {
        public bool Immediate { get; init; }

        /// <summary>Dropped by us for a missing heartbeat ACK.</summary>
        public bool Zombie { get; init; }

        public bool InvalidSessionWait { get; init; }
    }

    /// <summary>Per-connection state: send lock and budget, heartbeat loop, ACK flag.</summary>
    private sealed class Connection(GatewayClient client, IGatewayTransport transport, CancellationTokenSource connectionCts)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly GatewaySendLimiter _limiter = new(client._time);
        private Task _heartbeatTask = Task.CompletedTask;
        private Task _identifyTask = Task.CompletedTask;
        private Task _shutdownTask = Task.CompletedTask;
        private volatile bool _ackReceived = true;
        private volatile bool _zombie;

        public async Task<Outcome> ReceiveLoopAsync(bool resume, CancellationToken stopToken)
        {
            var shard = client._options.ShardId;
            while (true)
            {
                GatewayFrame frame;
                try
                {
                    frame = await transport.ReceiveAsync(connectionCts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
                {
                    stopToken.ThrowIfCancellationRequested();
                    if (_zombie)
                    {
                        return new Outcome(ReconnectAction.Resume, null, "no heartbeat ACK (zombie connection)") { Immediate = true, Zombie = true };
                    }

                    return new Outcome(ReconnectAction.Resume, null, "connection dropped without a close code");
                }

                if (frame.Closed)
                {
                    stopToken.ThrowIfCancellationRequested();
                    var action = GatewayCloseCodes.Classify(frame.CloseCode);
                    return new Outcome(action, frame.CloseCode, "gateway closed the connection");
                }

                GatewayPayload? payload;
                try
                {
                    payload = JsonSerializer.Deserialize<GatewayPayload>(frame.Text!, DiscordJson.Options);
                }
                catch (JsonException ex)
                {
                    Log.BadPayload(client._logger, shard, ex);
                    continue;
                }

                if (payload is null)
                {
                    continue;
                }

                switch ((GatewayOpCode)payload.Op)
                {
                    case GatewayOpCode.Hello:
                        var hello = payload.D.Deserialize<HelloEvent>(DiscordJson.Options);
                        var interval = TimeSpan.FromMilliseconds(Math.Max(1, hello?.HeartbeatInterval ?? 41250));
                        _heartbeatTask = HeartbeatLoopAsync(interval, connectionCts.Token);
                        _identifyTask = resume ? SendResumeAsync(connectionCts.Token) : SendIdentifyAsync(connectionCts.Token);
                        break;
                    case GatewayOpCode.HeartbeatAck:
                        _ackReceived = true;
                        break;
                    case GatewayOpCode.Heartbeat:
                        await SendHeartbeatAsync(connectionCts.Token).ConfigureAwait(false);
                        break;
                    case GatewayOpCode.Reconnect:
                        await CloseQuietlyAsync().ConfigureAwait(false);
                        return new Outcome(ReconnectAction.Resume, null, "gateway asked to reconnect (op 7)") { Immediate = true };
                    case GatewayOpCode.InvalidSession:
                        var resumable = payload.D.ValueKind == JsonValueKind.True;
                        await CloseQuietlyAsync().ConfigureAwait(false);
                        return resumable
                            ? new Outcome(ReconnectAction.Resume, null, "invalid session, resumable (op 9 true)") { Immediate = true }
                            : new Outcome(ReconnectAction.Identify, null, "invalid session (op 9 false)") { Immediate = true, InvalidSessionWait = true };
                    case GatewayOpCode.Dispatch:
                        await HandleDispatchAsync(payload, connectionCts.Token).ConfigureAwait(false);
                        break;
                    default:
                        Log.UnknownOp(client._logger, shard, payload.Op);
                        break;
                }
            }
        }

        public async Task SendAsync<T>(GatewayOpCode op, T data, bool heartbeat, CancellationToken cancellationToken)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(new GatewaySendPayload<T>((int)op, data), DiscordJson.Options);
            if (bytes.Length > MaxFrameBytes)
            {
                throw new InvalidOperationException($"Gateway payload for op {(int)op} is {bytes.Length} bytes; the gateway closes connections that send more than {MaxFrameBytes}.");
            }

            await _limiter.WaitAsync((int)op, heartbeat, cancellationToken).ConfigureAwait(false);
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await transport.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>Shutdown: close with 1000 (the session is invalidated; the next start identifies), then stop receiving.</summary>
        public void BeginShutdown() => _shutdownTask = ShutdownAsync();

        public async Task StopAsync()
        {
            try
            {
                await Task.WhenAll(_heartbeatTask, _identifyTask, _shutdownTask).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The connection is over; its loops ending with the socket is expected.
            }
        }

        private async Task HandleDispatchAsync(GatewayPayload payload, CancellationToken cancellationToken)
        {
            if (payload.S is { } s)
            {
                Interlocked.Exchange(ref client._sequence, s);
            }

            var type = payload.T ?? "";
            var shard = client._options.ShardId;
            switch (type)
            {
                case "READY":
                    var ready = payload.D.Deserialize<ReadyEvent>(DiscordJson.Options);
                    if (ready is not null)
                    {
                        client.SessionId = ready.SessionId;
                        client.ResumeGatewayUrl = ready.ResumeGatewayUrl;
                        client.UserId = ready.User.Id;
                        client.ApplicationId = ready.Application?.Id;
                        client._state.SetShard(shard, true);
                        client._ready.TrySetResult();
                        Log.Ready(client._logger, shard, ready.User.Id);
                    }

                    break;
                case "RESUMED":
                    client._state.SetShard(shard, true);
                    Log.Resumed(client._logger, shard, client.Sequence);
                    break;
                case "RATE_LIMITED":
                    var limited = payload.D.Deserialize<RateLimitedEvent>(DiscordJson.Options);
                    if (limited is not null)
                    {
                        _limiter.Hold(limited.Opcode, TimeSpan.FromSeconds(limited.RetryAfter));
                        Log.GatewayRateLimited(client._logger, shard, limited.Opcode, limited.RetryAfter);
                    }

                    break;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await client._dispatchHandler(new GatewayDispatch(type, payload.D, payload.S, shard), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.DispatchHandlerFailed(client._logger, shard, type, ex);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > TimeSpan.FromSeconds(1))
            {
                Log.DispatchHandlerSlow(client._logger, shard, type, elapsed);
            }
        }

        private async Task HeartbeatLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(interval * client._random.NextDouble(), client._time, cancellationToken).ConfigureAwait(false);
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (!_ackReceived)
                    {
                        Log.Zombie(client._logger, client._options.ShardId);
                        _zombie = true;
                        transport.Abort();
                        await connectionCts.CancelAsync().ConfigureAwait(false);
                        return;
                    }

                    _ackReceived = false;
                    await SendHeartbeatAsync(cancellationToken).ConfigureAwait(false);
                    await Task.Delay(interval, client._time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The connection ended; the receive loop reports why.
            }
        }

        private Task SendHeartbeatAsync(CancellationToken cancellationToken)
            => SendAsync(GatewayOpCode.Heartbeat, client.Sequence, heartbeat: true, cancellationToken);

        private async Task SendIdentifyAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var lease = await client._identifyGate.AcquireAsync(client._options.ShardId, cancellationToken).ConfigureAwait(false);
                var identify = new IdentifyParams
                {
                    Token = client._options.Token,
                    Intents = client._options.Intents,
                    Properties = new IdentifyConnectionProperties(OperatingSystemName(), "PolicyBot", "PolicyBot"),
                    Shard = [client._options.ShardId, client._options.ShardCount],
                };
                await SendAsync(GatewayOpCode.Identify, identify, heartbeat: false, cancellationToken).ConfigureAwait(false);
                client._firstIdentify.TrySetResult();
                Log.Identified(client._logger, client._options.ShardId, client._options.ShardCount, client._options.Intents);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The connection ended before Identify could go out.
            }
        }

        private async Task SendResumeAsync(CancellationToken cancellationToken)
        {
            try
            {
                var resume = new ResumeParams(client._options.Token, client.SessionId!, client.Sequence);
                await SendAsync(GatewayOpCode.Resume, resume, heartbeat: false, cancellationToken).ConfigureAwait(false);
                Log.Resuming(client._logger, client._options.ShardId, client.Sequence);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The connection ended before Resume could go out.
            }
        }

        private async Task ShutdownAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await transport.CloseAsync(1000, timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }

                // Give the server a moment to answer the close; the receive loop ends when it does.
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connectionCts.Token);
                await Task.Delay(TimeSpan.FromSeconds(1), linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Closing is best effort.
            }
            finally
            {
                try
                {
                    await connectionCts.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The connection already ended.
                }
            }
        }

        private async Task CloseQuietlyAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await transport.CloseAsync(ClientReconnectCloseCode, timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                transport.Abort();
            }
        }

        private static string OperatingSystemName()
            => OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "unknown";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Shard {ShardId}: READY as user {UserId}")]
        public static partial void Ready(ILogger logger, int shardId, string userId);

        [LoggerMessage(2, LogLevel.Information, "Shard {ShardId}: session resumed at seq {Sequence}")]
        public static partial void Resumed(ILogger logger, int shardId, long? sequence);

        [LoggerMessage(3, LogLevel.Warning, "Shard {ShardId}: {Reason} (close code {CloseCode}); {Action} in {Delay}")]
        public static partial void Reconnecting(ILogger logger, int shardId, string reason, int? closeCode, ReconnectAction action, TimeSpan delay);

        [LoggerMessage(4, LogLevel.Critical, "Shard {ShardId}: gateway closed with fatal code {CloseCode}. {OperatorMessage}")]
        public static partial void FatalClose(ILogger logger, int shardId, int closeCode, string operatorMessage);

        [LoggerMessage(5, LogLevel.Warning, "Shard {ShardId}: could not connect to {GatewayHost}")]
        public static partial void ConnectFailed(ILogger logger, int shardId, string gatewayHost, Exception exception);

        [LoggerMessage(6, LogLevel.Warning, "Shard {ShardId}: no heartbeat ACK since the last heartbeat; dropping the zombie connection")]
        public static partial void Zombie(ILogger logger, int shardId);

        [LoggerMessage(7, LogLevel.Debug, "Shard {ShardId}: ignoring unknown gateway op {Op}")]
        public static partial void UnknownOp(ILogger logger, int shardId, int op);

        [LoggerMessage(8, LogLevel.Warning, "Shard {ShardId}: ignoring a gateway message that is not valid JSON")]
        public static partial void BadPayload(ILogger logger, int shardId, Exception exception);

        [LoggerMessage(9, LogLevel.Error, "Shard {ShardId}: handler for {EventType} failed")]
        public static partial void DispatchHandlerFailed(ILogger logger, int shardId, string eventType, Exception exception);

        [LoggerMessage(10, LogLevel.Warning, "Shard {ShardId}: handler for {EventType} blocked the receive loop for {Elapsed}")]
        public static partial void DispatchHandlerSlow(ILogger logger, int shardId, string eventType, TimeSpan elapsed);

        [LoggerMessage(11, LogLevel.Information, "Shard {ShardId}/{ShardCount}: identified with intents {Intents}")]
        public static partial void Identified(ILogger logger, int shardId, int shardCount, int intents);

        [LoggerMessage(12, LogLevel.Information, "Shard {ShardId}: resuming at seq {Sequence}")]
        public static partial void Resuming(ILogger logger, int shardId, long? sequence);

        [LoggerMessage(13, LogLevel.Warning, "Shard {ShardId}: gateway rate-limited op {Opcode} for {RetryAfter} s")]
        public static partial void GatewayRateLimited(ILogger logger, int shardId, int opcode, double retryAfter);

        [LoggerMessage(14, LogLevel.Debug, "Shard {ShardId}: closing the socket failed")]
        public static partial void CloseFailed(ILogger logger, int shardId, Exception exception);
    }
}
