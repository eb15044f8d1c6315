using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace PolicyBot.Testing.Discord;

/// <summary>A client payload the fake gateway received.</summary>
public sealed record GatewayClientFrame(int Connection, string Path, int Op, JsonElement Payload, DateTimeOffset At, int Bytes)
{
    public JsonElement D => Payload.TryGetProperty("d", out var d) ? d : default;
}

/// <summary>One WebSocket connection to the fake gateway, scriptable from a test.</summary>
public sealed class FakeGatewayConnection
{
    private readonly FakeDiscord _fake;
    private readonly WebSocket _socket;
    private readonly HttpContext _context;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<GatewayClientFrame> _received = Channel.CreateUnbounded<GatewayClientFrame>();
    private readonly TaskCompletionSource<int?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<DateTimeOffset> _sendTimes = new();
    private Task _script = Task.CompletedTask;

    internal FakeGatewayConnection(FakeDiscord fake, WebSocket socket, HttpContext context, int index, string path, string query)
    {
        _fake = fake;
        _socket = socket;
        _context = context;
        Index = index;
        Path = path;
        Query = query;
        AckHeartbeats = fake.AckHeartbeats;
        OpenedAt = fake.Time.GetUtcNow();
        _closed.Task.ContinueWith(_ => ClosedAt = fake.Time.GetUtcNow(), TaskScheduler.Default);
    }

    /// <summary>Virtual time the fake accepted the WebSocket.</summary>
    public DateTimeOffset OpenedAt { get; }

    /// <summary>Virtual time the fake saw the connection end (close frame or drop); null while open.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    public int Index { get; }

    /// <summary>"/gateway" or "/resume".</summary>
    public string Path { get; }

    public string Query { get; }

    public bool AckHeartbeats { get; set; }

    public FakeSession? Session { get; set; }

    /// <summary>Completes when the connection ends, with the close code the client sent (null when it dropped).</summary>
    public Task<int?> Closed => _closed.Task;

    /// <summary>The connect script (or the default Hello) for this connection.</summary>
    public Task Script => _script;

    public Task SendHelloAsync() => SendOpAsync(10, new { heartbeat_interval = _fake.HeartbeatIntervalMs });

    public Task SendJsonAsync(string json) => SendRawAsync(Encoding.UTF8.GetBytes(json), frameSize: int.MaxValue);

    public Task SendOpAsync(int op, object? d)
        => SendJsonAsync(new JsonObject { ["op"] = op, ["d"] = d is null ? null : JsonSerializer.SerializeToNode(d), ["s"] = null, ["t"] = null }.ToJsonString());

    /// <summary>Sends a dispatch with the session's next sequence number and records it for replay on resume.</summary>
    public async Task<long> DispatchAsync(string type, JsonNode? data, int frameSize = int.MaxValue)
    {
        var session = Session ?? throw new InvalidOperationException("No session on this connection.");
        var (seq, json) = session.Append(type, data);
        await SendRawAsync(Encoding.UTF8.GetBytes(json), frameSize).ConfigureAwait(false);
        return seq;
    }

    public async Task SendRawAsync(byte[] utf8, int frameSize)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            for (var offset = 0; offset < utf8.Length || utf8.Length == 0; offset += frameSize)
            {
                var count = Math.Min(frameSize, utf8.Length - offset);
                var last = offset + count >= utf8.Length;
                await _socket.SendAsync(utf8.AsMemory(offset, count), WebSocketMessageType.Text, last, CancellationToken.None).ConfigureAwait(false);
                if (last)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; tests observe that through Closed.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task CloseAsync(int code)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, "fake", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already gone.
            _fake.Violations.Enqueue($"connection {Index}: close {code} requested after the connection ended");
        }
        finally
        {
            _sendLock.Release();
        }

        _closed.TrySetResult(null);
    }

    /// <summary>Drops the TCP connection without a close frame.</summary>
    public void Abort()
    {
        _closed.TrySetResult(null);
        _context.Abort();
    }

    /// <summary>Waits for the next client payload with <paramref name="op"/>, skipping others.</summary>
    public async Task<GatewayClientFrame> ReceiveOpAsync(int op, TimeSpan? realTimeout = null)
    {
        using var cts = new CancellationTokenSource(realTimeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await _received.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            if (frame.Op == op)
            {
                return frame;
            }
        }
    }

    internal async Task RunAsync()
    {
        var buffer = new byte[8192];
        try
        {
            // The script runs beside the receive loop so it can wait for client payloads.
            _script = _fake.OnConnected is { } script
                ? Task.Run(() => script(this))
                : SendOpAsync(10, new { heartbeat_interval = _fake.HeartbeatIntervalMs });

            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, _context.RequestAborted).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _fake.RecordClientClose(this, (int?)result.CloseStatus);
                        _closed.TrySetResult((int?)result.CloseStatus);
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _sendLock.WaitAsync().ConfigureAwait(false);
                            try
                            {
                                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                            }
                            finally
                            {
                                _sendLock.Release();
                            }
                        }

                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var bytes = message.ToArray();
                if (bytes.Length > 4096)
                {
                    _fake.Violations.Enqueue($"connection {Index}: client frame of {bytes.Length} bytes");
                    await CloseAsync(4002).ConfigureAwait(false);
                    return;
                }

                var now = _fake.Time.GetUtcNow();
                _sendTimes.Enqueue(now);
                while (_sendTimes.Count > 0 && now - _sendTimes.Peek() >= TimeSpan.FromSeconds(60))
                {
                    _sendTimes.Dequeue();
                }

                if (_sendTimes.Count > 120)
                {
                    _fake.Violations.Enqueue($"connection {Index}: more than 120 sends in 60 s");
                    await CloseAsync(4008).ConfigureAwait(false);
                    return;
                }

                using var doc = JsonDocument.Parse(bytes);
                var payload = doc.RootElement.Clone();
                var op = payload.GetProperty("op").GetInt32();
                var frame = new GatewayClientFrame(Index, Path, op, payload, now, bytes.Length);
                _fake.RecordFrame(frame);
                await _fake.HandleClientFrameAsync(this, frame).ConfigureAwait(false);
                _received.Writer.TryWrite(frame);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}

/// <summary>A gateway session on the fake: its events are kept so a Resume can replay the ones the client missed.</summary>
public sealed class FakeSession(string id, int[] shard)
{
    private readonly List<(long Seq, string Json)> _events = [];
    private readonly Lock _gate = new();
    private long _seq;

    public string Id { get; } = id;

    public int[] Shard { get; } = shard;

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _seq;
            }
        }
    }

    /// <summary>Adds an event to the session (sent now or replayed later) and returns its sequence and JSON.</summary>
    public (long Seq, string Json) Append(string type, JsonNode? data)
    {
        lock (_gate)
        {
            var seq = ++_seq;
            var json = new JsonObject { ["op"] = 0, ["d"] = data?.DeepClone(), ["s"] = seq, ["t"] = type }.ToJsonString();
            _events.Add((seq, json));
            return (seq, json);
        }
    }

    public IReadOnlyList<string> EventsAfter(long seq)
    {
        lock (_gate)
        {
            return _events.Where(e => e.Seq > seq).Select(e => e.Json).ToList();
        }
    }
}
