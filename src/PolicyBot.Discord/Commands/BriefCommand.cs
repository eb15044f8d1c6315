using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// <c>/brief topic:&lt;text&gt; [private:&lt;bool&gt;]</c>: what it is, status and key dates, what to do — each bullet a verbatim
/// cited extract, at most one screen, with the date of the newest source.
/// </summary>
internal sealed class BriefCommand(DiscordTurnServices services) : IDiscordCommand
{
    public string Name => "brief";

    public async Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var topic = DiscordText.Normalize(DiscordTurnServices.StringOption(options, "topic"));
        var isPrivate = DiscordTurnServices.BoolOption(options, "private") ?? false;
        await CompareCommand.DeferAsync(services, interaction, isPrivate, cancellationToken).ConfigureAwait(false);
        MessageParams message;
        try
        {
            if (topic.Length == 0)
            {
                message = new MessageParams { Content = "Name a topic, for example `/brief topic: the EU AI Act`." };
            }
            else
            {
                var context = new QuestionContext(DiscordTurnServices.Platform, interaction.GuildId, interaction.ChannelId, interaction.Invoker?.Id);
                var brief = await new BriefComposer(services.Answerer).BriefAsync(topic, context, cancellationToken).ConfigureAwait(false);
                services.Metrics.RecordAnswer("brief");
                message = brief.Refusal is { } refused ? new MessageParams { Content = DiscordText.Defuse(refused.Text) } : AnswerFormatter.BriefMessage(brief);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DiscordTurnLog.TurnFailed(services.Logger, Name, interaction.ChannelId ?? "", ex);
            message = new MessageParams { Content = Core.Commands.BotTexts.Apology };
        }

        await services.Rest.EditOriginalResponseAsync(services.ApplicationIdFor(interaction), interaction.Token, message with { AllowedMentions = AllowedMentions.None }, cancellationToken).ConfigureAwait(false);
    }
}
