using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>The Sources button under an answer (<c>src:&lt;answer id&gt;</c>): the full cited passages, privately.</summary>
internal sealed class SourcesButton(DiscordTurnServices services) : IDiscordButton
{
    /// <summary>Full passages shown per click (the first in the response, the rest as follow-ups).</summary>
    public const int MaxPassages = 5;

    public string Prefix => "src:";

    public async Task<bool> HandleAsync(Interaction interaction, string rest, CancellationToken cancellationToken)
    {
        var citations = (await services.Memory.SourcesAsync(rest, cancellationToken).ConfigureAwait(false)).Take(MaxPassages).ToList();
        if (citations.Count == 0)
        {
            await services.RespondEphemeralAsync(interaction, "The sources of this answer are no longer available; ask the question again to see them.", cancellationToken).ConfigureAwait(false);
            return true;
        }

        await services.RespondAsync(interaction, new MessageParams { Embeds = [AnswerFormatter.FullPassageEmbed(citations[0])], Flags = MessageFlags.Ephemeral }, cancellationToken).ConfigureAwait(false);
        foreach (var citation in citations.Skip(1))
        {
            await services.FollowUpAsync(interaction, new MessageParams { Embeds = [AnswerFormatter.FullPassageEmbed(citation)], Flags = MessageFlags.Ephemeral }, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
