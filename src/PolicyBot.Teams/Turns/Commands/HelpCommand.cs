using Microsoft.Extensions.Options;
using PolicyBot.Core.Commands;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary><c>help</c> (or an empty mention): the welcome text — what the bot answers, how to ask, the privacy notice.</summary>
internal sealed class HelpCommand(ConnectorClient connector, IOptions<TeamsOptions> options) : ITeamsCommand
{
    public const string HowToAsk =
        "**How to ask:** in a personal chat just type your question; in a channel or group chat mention me first, " +
        $"e.g. *@PolicyBot {BotTexts.ExampleQuestion}* " +
        "Type **compare** or **brief** with a topic, **watch add topic: EU AI Act** to get a notice here when a source on it arrives, " +
        "**sources** to list the documents and **about** for details.";

    public string Name => TeamsCommands.Help;

    /// <summary>The welcome: what the bot answers, how to ask, and the logging and retention notice.</summary>
    public static string Text(TimeSpan retention) =>
        $"Hi, I'm **{BotTexts.Name}**. {BotTexts.Name} {BotTexts.Purpose}\n\n{HowToAsk}\n\nPlease note: {BotTexts.Privacy(retention)}";

    public Task HandleAsync(Activity inbound, CancellationToken cancellationToken) =>
        connector.ReplyTextAsync(inbound, Text(options.Value.AuditRetention), cancellationToken);
}
