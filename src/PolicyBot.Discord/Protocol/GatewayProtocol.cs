using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyBot.Discord.Protocol;

/// <summary>Gateway opcodes (discord.md §3).</summary>
internal enum GatewayOpCode
{
    Dispatch = 0,
    Heartbeat = 1,
    Identify = 2,
    PresenceUpdate = 3,
    VoiceStateUpdate = 4,
    Resume = 6,
    Reconnect = 7,
    RequestGuildMembers = 8,
    InvalidSession = 9,
    Hello = 10,
    HeartbeatAck = 11,
}

/// <summary>Gateway close event codes (discord.md §7).</summary>
internal enum GatewayCloseCode
{
    UnknownError = 4000,
    UnknownOpcode = 4001,
    DecodeError = 4002,
    NotAuthenticated = 4003,
    AuthenticationFailed = 4004,
    AlreadyAuthenticated = 4005,
    InvalidSeq = 4007,
    RateLimited = 4008,
    SessionTimedOut = 4009,
    InvalidShard = 4010,
    ShardingRequired = 4011,
    InvalidApiVersion = 4012,
    InvalidIntents = 4013,
    DisallowedIntents = 4014,
}

/// <summary>Gateway intents (discord.md §5).</summary>
[Flags]
internal enum GatewayIntents
{
    None = 0,
    Guilds = 1 << 0,
    GuildMessages = 1 << 9,
    DirectMessages = 1 << 12,
    MessageContent = 1 << 15,

    /// <summary>GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT = 37377.</summary>
    QuestionAnswering = Guilds | GuildMessages | DirectMessages | MessageContent,
}

/// <summary>The envelope of every gateway message: <c>{op, d, s, t}</c>.</summary>
internal sealed record GatewayPayload
{
    [JsonPropertyName("op")]
    public int Op { get; init; }

    [JsonPropertyName("d")]
    public JsonElement D { get; init; }

    [JsonPropertyName("s")]
    public long? S { get; init; }

    [JsonPropertyName("t")]
    public string? T { get; init; }
}

/// <summary>An outgoing envelope; <c>s</c>/<c>t</c> are never sent by a client.</summary>
internal sealed record GatewaySendPayload<T>(
    [property: JsonPropertyName("op")] int Op,
    [property: JsonPropertyName("d"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] T D);

internal sealed record HelloEvent(int HeartbeatInterval);

internal sealed record IdentifyConnectionProperties(string Os, string Browser, string Device);

internal sealed record IdentifyParams
{
    public required string Token { get; init; }

    public required IdentifyConnectionProperties Properties { get; init; }

    public required int Intents { get; init; }

    public int[]? Shard { get; init; }

    public bool Compress { get; init; }
}

internal sealed record ResumeParams(string Token, string SessionId, long? Seq);

internal sealed record ReadyApplication(string Id);

internal sealed record ReadyEvent
{
    public int V { get; init; }

    public required DiscordUser User { get; init; }

    public required string SessionId { get; init; }

    public required string ResumeGatewayUrl { get; init; }

    public int[]? Shard { get; init; }

    public ReadyApplication? Application { get; init; }
}

internal sealed record RateLimitedEvent(int Opcode, double RetryAfter);

internal sealed record SessionStartLimit(int Total, int Remaining, long ResetAfter, int MaxConcurrency);

internal sealed record GatewayBotResponse(string Url, int Shards, SessionStartLimit SessionStartLimit);
