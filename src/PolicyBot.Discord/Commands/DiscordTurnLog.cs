using Microsoft.Extensions.Logging;

namespace PolicyBot.Discord.Commands;

/// <summary>Log events of the Discord router and its handlers (ids 201–2xx).</summary>
internal static partial class DiscordTurnLog
{
    [LoggerMessage(201, LogLevel.Warning, "Too many turns in flight ({Pending}); dropping a dispatch")]
    public static partial void Overloaded(ILogger logger, int pending);

    [LoggerMessage(202, LogLevel.Debug, "Guild {GuildId}: channel {ChannelId} is not in the answer-channel list")]
    public static partial void ChannelNotAllowed(ILogger logger, string guildId, string channelId);

    [LoggerMessage(203, LogLevel.Error, "{EventType} turn in channel {ChannelId} failed")]
    public static partial void TurnFailed(ILogger logger, string eventType, string channelId, Exception exception);

    [LoggerMessage(204, LogLevel.Warning, "Cannot reply in channel {ChannelId} (HTTP {Status}, code {Code}); not trying there for a while")]
    public static partial void CannotReply(ILogger logger, string channelId, int status, int? code);

    [LoggerMessage(205, LogLevel.Information, "No thread opened in channel {ChannelId} (HTTP {Status}, code {Code})")]
    public static partial void ThreadNotOpened(ILogger logger, string channelId, int status, int? code);

    [LoggerMessage(206, LogLevel.Debug, "Typing indicator in channel {ChannelId} failed with {Status}")]
    public static partial void TypingFailed(ILogger logger, string channelId, int status);

    [LoggerMessage(207, LogLevel.Warning, "Could not send the apology in channel {ChannelId}")]
    public static partial void ApologyFailed(ILogger logger, string channelId, Exception exception);

    [LoggerMessage(208, LogLevel.Warning, "Interaction {InteractionId} expired or was already acknowledged (code {Code}); not retrying")]
    public static partial void InteractionExpired(ILogger logger, string interactionId, int code);

    [LoggerMessage(209, LogLevel.Information, "Ignoring a button with an unknown custom_id ({Length} chars)")]
    public static partial void UnknownCustomId(ILogger logger, int length);
}
