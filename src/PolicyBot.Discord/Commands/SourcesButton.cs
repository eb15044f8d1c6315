using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// The Show passages button under an answer (<c>src:&lt;answer id&gt;</c>): every quoted passage in full, privately,
/// in one ephemeral response (one embed per passage, sized to fit one message).
/// </summary>
internal sealed class SourcesButton(DiscordTurnServices services) : IDiscordButton
{
    public string Prefix => AnswerFormatter.SourcesPrefix;

    public async Task<bool> HandleAsync(Interaction interaction, string rest, CancellationToken cancellationToken)
    {
        if (!services.Answers.TryGet(rest, out var answer) || answer.Citations.Count == 0)
        {
            await services.RespondEphemeralAsync(interaction, "The passages of this answer are no longer available; ask the question again to see them.", cancellationToken).ConfigureAwait(false);
            return true;
        }

        await services.RespondAsync(interaction, AnswerFormatter.PassagesMessage(answer.Citations), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
