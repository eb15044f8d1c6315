using System.Globalization;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Commands;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary><c>about</c>: what the bot is, the corpus version, and the same privacy notice as the welcome.</summary>
internal sealed class AboutCommand(ConnectorClient connector, ICorpusCatalog catalog, IOptions<TeamsOptions> options) : ITeamsCommand
{
    public string Name => "about";

    public Task HandleAsync(Activity inbound, CancellationToken cancellationToken) =>
        connector.ReplyTextAsync(inbound, Text(), cancellationToken);

    public string Text()
    {
        var facts = AboutFacts.From(catalog, options.Value.AuditRetention);
        var indexed = facts.LastIndexed is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "not yet";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"**{BotTexts.Name}** {BotTexts.Purpose} Corpus: {facts.Documents} documents, version {facts.CorpusVersion}, last indexed {indexed}.\n\n{facts.Privacy}");
    }
}
