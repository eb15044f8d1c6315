using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace PolicyBot.Discord.Gateway;

/// <summary>One received gateway message: a complete text message, or the close (with its code, if any).</summary>
internal readonly record struct GatewayFrame(string? Text, int? CloseCode, bool Closed)
{
    public static GatewayFrame Message(string text) => new(text, null, false);

    public static GatewayFrame Close(int? code) => new(null, code, true);
}

/// <summary>
/// The transport seam under the gateway client: small enough to fake, reassembles multi-frame messages.
/// One instance per connection.
/// </summary>
internal interface IGatewayTransport : IAsyncDisposable
{
    Task ConnectAsync(Uri uri, CancellationToken cancellationToken);

    /// <summary>Sends one UTF-8 text message. Callers serialise sends.</summary>
    Task SendAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    /// <summary>Receives one complete message (accumulated until EndOfMessage) or the close.</summary>
    Task<GatewayFrame> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Closes with a code; 1000/1001 invalidate the session, anything else keeps it resumable.</summary>
    Task CloseAsync(int code, CancellationToken cancellationToken);

    /// <summary>Drops the TCP connection without a close frame.</summary>
    void Abort();
}

/// <summary><see cref="IGatewayTransport"/> over <see cref="ClientWebSocket"/>.</summary>
internal sealed class ClientWebSocketTransport : IGatewayTransport
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;
    private readonly ClientWebSocket _socket = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);

    public async Task ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
    }

    public Task SendAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
        => _socket.SendAsync(utf8, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).AsTask();

    public async Task<GatewayFrame> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (_buffer.Length >= MaxMessageBytes)
                {
                    throw new WebSocketException("Gateway message exceeds 64 MiB.");
                }

                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return GatewayFrame.Close(_socket.CloseStatus is { } status ? (int)status : null);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return GatewayFrame.Message(Encoding.UTF8.GetString(_buffer, 0, length));
            }
        }
    }

    public async Task CloseAsync(int code, CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync((WebSocketCloseStatus)code, null, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Abort() => _socket.Abort();

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }
}
