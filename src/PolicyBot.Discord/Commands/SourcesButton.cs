using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// The Show passages button under an answer (<c>src:&lt;answer id&gt;</c>): every quoted passage in full, privately,
/// in one ephemeral response (one embed per passage, sized to fit one message).
/// </summary>
internal sealed class SourcesButton(DiscordTurnServices services) : IDiscordButton
{
    /// <summary>Passages shown per click, all in one response (Discord's limit is ten embeds).</summary>
    public const int MaxPassages = AnswerFormatter.MaxEmbeds;

    public string Prefix => AnswerFormatter.SourcesPrefix;

    public async Task<bool> HandleAsync(Interaction interaction, string rest, CancellationToken cancellationToken)
    {
        var citations = (await services.Memory.SourcesAsync(rest, cancellationToken).ConfigureAwait(false)).Take(MaxPassages).ToList();
        if (citations.Count == 0)
        {
            await services.RespondEphemeralAsync(interaction, "The passages of this answer are no longer available; ask the question again to see them.", cancellationToken).ConfigureAwait(false);
            return true;
        }

        await services.RespondAsync(interaction, AnswerFormatter.PassagesMessage(citations), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
