using Microsoft.Extensions.Logging;

namespace PolicyBot.Teams;

/// <summary>Source-generated log messages for the Teams adapter. Tokens and secrets are never arguments.</summary>
internal static partial class TeamsLog
{
    [LoggerMessage(1, LogLevel.Warning, "Teams auth is DISABLED: no {AppIdSetting} is configured, so requests without an Authorization header are accepted from loopback callers only. Never run like this in production.")]
    public static partial void AuthDisabled(ILogger logger, string appIdSetting);

    [LoggerMessage(2, LogLevel.Debug, "Rejected inbound request with 401: {Reason}")]
    public static partial void AuthRejected(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Information, "Loaded {KeyCount} Bot Connector signing keys")]
    public static partial void SigningKeysLoaded(ILogger logger, int keyCount);

    [LoggerMessage(4, LogLevel.Warning, "Bot Connector OpenID metadata or keys unavailable; inbound requests fail closed until they load")]
    public static partial void SigningKeysUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Token endpoint answered {Status} {ErrorCode}")]
    public static partial void TokenRequestFailed(ILogger logger, int status, string errorCode);

    [LoggerMessage(6, LogLevel.Debug, "Acquired a Bot Connector token valid for {Lifetime}")]
    public static partial void TokenAcquired(ILogger logger, TimeSpan lifetime);

    [LoggerMessage(7, LogLevel.Warning, "Connector answered {Status} {ErrorCode} (operation {OperationId}, attempt {Attempt})")]
    public static partial void ConnectorError(ILogger logger, int status, string errorCode, string operationId, int attempt);

    [LoggerMessage(8, LogLevel.Information, "Retrying Connector call after {Status} in {Delay}")]
    public static partial void ConnectorRetry(ILogger logger, int status, TimeSpan delay);

    [LoggerMessage(9, LogLevel.Error, "Answering activity {ActivityId} failed; sending an apology")]
    public static partial void TurnFailed(ILogger logger, string activityId, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Could not deliver a reply for activity {ActivityId}")]
    public static partial void ReplyFailed(ILogger logger, string activityId, Exception exception);

    [LoggerMessage(11, LogLevel.Debug, "Typing indicator failed for {ConversationId}")]
    public static partial void TypingFailed(ILogger logger, string conversationId, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "Turn queue full; refusing activity {ActivityId}")]
    public static partial void QueueFull(ILogger logger, string activityId);

    [LoggerMessage(13, LogLevel.Debug, "Duplicate activity {ActivityId} ignored")]
    public static partial void DuplicateActivity(ILogger logger, string activityId);

    [LoggerMessage(14, LogLevel.Warning, "Recording Teams feedback failed")]
    public static partial void FeedbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Information, "Message too large; splitting a {Length}-character part")]
    public static partial void SplittingPart(ILogger logger, int length);

    [LoggerMessage(16, LogLevel.Warning, "Delivery claim in the state store failed; handling the activity anyway")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);
}
