using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Gateway;

/// <summary>What to do after a connection ends.</summary>
internal enum ReconnectAction
{
    /// <summary>Reconnect to the resume URL and send op 6.</summary>
    Resume,

    /// <summary>Forget the session; reconnect to the /gateway/bot URL and send op 2.</summary>
    Identify,

    /// <summary>Stop: reconnecting cannot help.</summary>
    Fatal,
}

/// <summary>Classifies gateway close codes (discord.md §7) with an operator-facing message for the fatal ones.</summary>
internal static class GatewayCloseCodes
{
    public static ReconnectAction Classify(int? code) => code switch
    {
        null => ReconnectAction.Resume,
        1000 or 1001 => ReconnectAction.Identify, // a server closing normally invalidates the session
        (int)GatewayCloseCode.NotAuthenticated => ReconnectAction.Identify,
        (int)GatewayCloseCode.InvalidSeq => ReconnectAction.Identify,
        (int)GatewayCloseCode.SessionTimedOut => ReconnectAction.Identify,
        (int)GatewayCloseCode.AuthenticationFailed
            or (int)GatewayCloseCode.InvalidShard
            or (int)GatewayCloseCode.ShardingRequired
            or (int)GatewayCloseCode.InvalidApiVersion
            or (int)GatewayCloseCode.InvalidIntents
            or (int)GatewayCloseCode.DisallowedIntents => ReconnectAction.Fatal,
        _ => ReconnectAction.Resume, // 4000, 4001, 4002, 4005, 4008, 1006, other transport codes
    };

    /// <summary>Tells the operator what to fix for a fatal close code.</summary>
    /// <param name="code">The close code.</param>
    /// <param name="setting">Names a <see cref="DiscordOptions"/> property as the operator configures it (<see cref="DiscordOptions.SettingName"/>).</param>
    public static string OperatorMessage(int code, Func<string, string> setting) => code switch
    {
        (int)GatewayCloseCode.AuthenticationFailed =>
            $"Discord rejected the bot token (close 4004, authentication failed): invalid bot token. Set {setting(nameof(DiscordOptions.Token))} to the token from the Developer Portal (Bot page), without the 'Bot ' prefix.",
        (int)GatewayCloseCode.InvalidShard =>
            $"Discord rejected the shard (close 4010, invalid shard): check {setting(nameof(DiscordOptions.ShardId))} is below {setting(nameof(DiscordOptions.ShardCount))}, or use 'auto'.",
        (int)GatewayCloseCode.ShardingRequired =>
            $"Discord requires sharding (close 4011): the bot is in too many guilds for one shard. Set {setting(nameof(DiscordOptions.ShardCount))}=auto (or the count /gateway/bot recommends) and run the shards.",
        (int)GatewayCloseCode.InvalidApiVersion =>
            $"Discord rejected the gateway API version (close 4012, invalid API version): PolicyBot speaks v10; check {setting(nameof(DiscordOptions.ApiBaseUrl))} ends with /api/v10.",
        (int)GatewayCloseCode.InvalidIntents =>
            "Discord rejected the intents (close 4013, invalid intents): the intents bit field is invalid; this is a PolicyBot bug, please report it.",
        (int)GatewayCloseCode.DisallowedIntents =>
            "Discord refused a privileged intent (close 4014, disallowed intents): privileged intent not enabled — enable MESSAGE_CONTENT (Message Content Intent) for the bot in the Developer Portal, or drop it from the configured intents.",
        _ => $"Discord closed the gateway with code {code}, which cannot be recovered by reconnecting.",
    };
}

/// <summary>A gateway close that reconnecting cannot fix; <see cref="Exception.Message"/> says what the operator must do.</summary>
public sealed class GatewayFatalException : Exception
{
    public GatewayFatalException(int closeCode, Func<string, string> setting)
        : base(GatewayCloseCodes.OperatorMessage(closeCode, setting))
    {
        CloseCode = closeCode;
    }

    public GatewayFatalException()
    {
    }

    public GatewayFatalException(string message)
        : base(message)
    {
    }

    public GatewayFatalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int CloseCode { get; }
}

/// <summary>Capped exponential backoff with "equal jitter": delay ∈ [d/2, d], d = min(cap, base·2^attempt).</summary>
internal sealed class Backoff(TimeSpan baseDelay, TimeSpan cap, Random random)
{
    public TimeSpan Next(int attempt)
    {
        var exp = Math.Min(attempt, 20);
        var full = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exp));
        return TimeSpan.FromMilliseconds((full / 2) + (random.NextDouble() * full / 2));
    }
}
