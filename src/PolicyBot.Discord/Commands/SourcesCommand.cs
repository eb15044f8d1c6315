using System.Globalization;
using System.Text;
using PolicyBot.Core.Commands;
using PolicyBot.Core.Text;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary><c>/sources</c>: the indexed documents, linked, in one ephemeral embed.</summary>
internal sealed class SourcesCommand(DiscordTurnServices services) : IDiscordCommand
{
    private const int DescriptionBudget = 3900;

    public string Name => "sources";

    public Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
        => services.RespondAsync(interaction, Message(), cancellationToken);

    private MessageParams Message()
    {
        var documents = SourceListing.Ordered(services.Catalog);
        if (documents.Count == 0)
        {
            return new MessageParams { Content = BotTexts.EmptyCorpus, Flags = MessageFlags.Ephemeral };
        }

        var builder = new StringBuilder();
        var shown = 0;
        foreach (var d in documents)
        {
            var title = TextCut.Truncate(DiscordText.Defuse(d.Title).Replace("[", "(", StringComparison.Ordinal).Replace("]", ")", StringComparison.Ordinal), 150);
            var link = Uri.TryCreate(d.Source, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) && u.AbsoluteUri.Length < 300
                ? $"[{title}](<{u.AbsoluteUri}>)"
                : title;
            var line = $"• {link} — {d.Kind}{(d.Published is { } p ? ", " + p : "")}\n";
            if (builder.Length + line.Length > DescriptionBudget)
            {
                break;
            }

            builder.Append(line);
            shown++;
        }

        if (shown < documents.Count)
        {
            builder.Append(BotTexts.AndMore(documents.Count - shown));
        }

        return new MessageParams
        {
            Embeds = [new Embed { Title = string.Create(CultureInfo.InvariantCulture, $"Corpus: {documents.Count} documents"), Description = builder.ToString().TrimEnd(), Footer = new EmbedFooter(TextCut.Truncate($"Corpus version {services.Catalog.CorpusVersion}", 200)) }],
            Flags = MessageFlags.Ephemeral,
        };
    }
}
