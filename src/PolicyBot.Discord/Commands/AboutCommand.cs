using System.Globalization;
using PolicyBot.Core.Commands;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary><c>/about</c>: what the bot is, the corpus version, and the privacy notice.</summary>
internal sealed class AboutCommand(DiscordTurnServices services) : IDiscordCommand
{
    public string Name => "about";

    public Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
        => services.RespondAsync(interaction, new MessageParams { Content = Text(), Flags = MessageFlags.Ephemeral }, cancellationToken);

    private string Text()
    {
        var facts = AboutFacts.From(services.Catalog, services.Options.AuditRetention);
        var when = facts.LastIndexed is { } indexed
            ? $"<t:{indexed.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}:R> ({indexed.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)"
            : "not yet";
        return $"""
            **{BotTexts.Name}** {BotTexts.Purpose}
            • Corpus: {facts.Documents.ToString(CultureInfo.InvariantCulture)} documents, version `{facts.CorpusVersion}`, last indexed {when}.
            • {facts.Privacy}
            Ask with `/ask`, by mentioning me, or in a DM. `/sources` lists the documents.
            """;
    }
}
