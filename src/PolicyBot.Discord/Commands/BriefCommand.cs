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

    public Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var topic = DiscordText.Normalize(DiscordTurnServices.StringOption(options, "topic"));
        var isPrivate = DiscordTurnServices.BoolOption(options, "private") ?? false;
        return SlashReply.RunAsync(services, interaction, Name, isPrivate, async ct =>
        {
            if (topic.Length == 0)
            {
                return new SlashResult([new MessageParams { Content = "Name a topic, for example `/brief topic: the EU AI Act`." }], Refused: false);
            }

            var context = new QuestionContext(DiscordTurnServices.Platform, interaction.GuildId, interaction.ChannelId, interaction.Invoker?.Id);
            var brief = await new BriefComposer(services.Answerer).BriefAsync(topic, context, ct).ConfigureAwait(false);
            services.Metrics.RecordAnswer("brief");
            return brief.Refusal is { } refused ? SlashResult.Refusal(refused.Text) : new SlashResult([AnswerFormatter.BriefMessage(brief)], Refused: false);
        }, cancellationToken);
    }
}
