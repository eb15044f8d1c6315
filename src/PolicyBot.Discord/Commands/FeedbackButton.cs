using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>The 👍/👎 buttons under an answer (<c>fb:up:&lt;answer id&gt;</c>, <c>fb:down:&lt;answer id&gt;</c>).</summary>
internal sealed class FeedbackButton(DiscordTurnServices services) : IDiscordButton
{
    public string Prefix => "fb:";

    public async Task<bool> HandleAsync(Interaction interaction, string rest, CancellationToken cancellationToken)
    {
        FeedbackReaction reaction;
        string answerId;
        if (rest.StartsWith("up:", StringComparison.Ordinal) && rest.Length > 3)
        {
            (reaction, answerId) = (FeedbackReaction.Positive, rest[3..]);
        }
        else if (rest.StartsWith("down:", StringComparison.Ordinal) && rest.Length > 5)
        {
            (reaction, answerId) = (FeedbackReaction.Negative, rest[5..]);
        }
        else
        {
            return false;
        }

        // Acknowledge within the 3-second window first; the store write follows (a slow store must not cost the callback).
        var at = services.Time.GetUtcNow();
        await services.RespondEphemeralAsync(
            interaction,
            reaction == FeedbackReaction.Positive ? "Thanks, glad it helped. Your feedback was recorded." : "Thanks, your feedback was recorded and will help improve the answers.",
            cancellationToken).ConfigureAwait(false);
        await services.Feedback.RecordAsync(new Feedback(answerId, DiscordTurnServices.Platform, interaction.Invoker?.Id, reaction, null, at), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
