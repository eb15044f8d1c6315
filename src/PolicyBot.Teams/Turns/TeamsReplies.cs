using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns;

/// <summary>Reply helpers shared by the turn handler and the commands.</summary>
internal static class TeamsReplies
{
    /// <summary>A plain markdown reply to <paramref name="inbound"/> (no AI label, no citations).</summary>
    public static Task<string?> ReplyTextAsync(this ConnectorClient connector, Activity inbound, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(inbound);
        return connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, inbound.Id, TeamsAnswerFormatter.TextReply(inbound, text), cancellationToken);
    }
}
