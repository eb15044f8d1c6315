using System.Diagnostics.Metrics;

namespace PolicyBot.Discord;

/// <summary>Counters under the meter "PolicyBot.Discord": gateway reconnects and REST 429s.</summary>
public sealed class DiscordMetrics : IDisposable
{
    public const string MeterName = "PolicyBot.Discord";

    private readonly Meter _meter;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _answers;
    private long _reconnectCount;
    private long _rateLimitedCount;

    public DiscordMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _reconnects = _meter.CreateCounter<long>("policybot.discord.gateway.reconnects", description: "Gateway reconnects (resume or re-identify).");
        _rateLimited = _meter.CreateCounter<long>("policybot.discord.rest.rate_limited", description: "REST responses with status 429.");
        _answers = _meter.CreateCounter<long>("policybot.discord.answers", description: "Questions answered on Discord.");
    }

    /// <summary>Reconnects so far (also exported as a counter).</summary>
    public long Reconnects => Interlocked.Read(ref _reconnectCount);

    /// <summary>REST 429 responses so far (also exported as a counter).</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimitedCount);

    internal void RecordReconnect(string action)
    {
        Interlocked.Increment(ref _reconnectCount);
        _reconnects.Add(1, new KeyValuePair<string, object?>("action", action));
    }

    internal void RecordRateLimited(string scope)
    {
        Interlocked.Increment(ref _rateLimitedCount);
        _rateLimited.Add(1, new KeyValuePair<string, object?>("scope", scope));
    }

    internal void RecordAnswer(string kind) => _answers.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Dispose() => _meter.Dispose();
}

/// <summary>Readiness of the Discord connection, for /readyz: connected when every shard has a live session.</summary>
public sealed class DiscordConnectionState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, bool> _shards = [];
    private string? _fatalError;

    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _shards.Count > 0 && _shards.Values.All(c => c) && _fatalError is null;
            }
        }
    }

    /// <summary>The operator-facing reason the bot stopped, when it stopped on a fatal error.</summary>
    public string? FatalError
    {
        get
        {
            lock (_gate)
            {
                return _fatalError;
            }
        }
    }

    internal void SetShard(int shardId, bool connected)
    {
        lock (_gate)
        {
            _shards[shardId] = connected;
        }
    }

    internal void SetFatal(string message)
    {
        lock (_gate)
        {
            _fatalError = message;
        }
    }
}
