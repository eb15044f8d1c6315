using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// <c>/compare topic:&lt;text&gt; [jurisdictions:&lt;list&gt;] [private:&lt;bool&gt;]</c>: one cited line per jurisdiction side by
/// side (embed fields), "not covered" where the corpus lacks it. Without jurisdictions, every one the corpus covers.
/// </summary>
internal sealed class CompareCommand(DiscordTurnServices services) : IDiscordCommand
{
    public string Name => "compare";

    public async Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var topic = DiscordText.Normalize(DiscordTurnServices.StringOption(options, "topic"));
        var jurisdictions = JurisdictionNames.ParseList(DiscordText.Normalize(DiscordTurnServices.StringOption(options, "jurisdictions")), ComparisonComposer.MaxJurisdictions);
        var isPrivate = DiscordTurnServices.BoolOption(options, "private") ?? false;
        await DeferAsync(services, interaction, isPrivate, cancellationToken).ConfigureAwait(false);
        MessageParams message;
        try
        {
            message = topic.Length == 0
                ? new MessageParams { Content = "Name a topic to compare, for example `/compare topic: AI regulation jurisdictions: EU, US, China`." }
                : await CompareAsync(services, topic, jurisdictions, interaction, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DiscordTurnLog.TurnFailed(services.Logger, Name, interaction.ChannelId ?? "", ex);
            message = new MessageParams { Content = Core.Commands.BotTexts.Apology };
        }

        await services.Rest.EditOriginalResponseAsync(services.ApplicationIdFor(interaction), interaction.Token, message with { AllowedMentions = AllowedMentions.None }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The comparison message (or the refusal's text when the answerer refused), for /compare and for questions naming two or more jurisdictions.</summary>
    public static async Task<MessageParams> CompareAsync(DiscordTurnServices services, string topic, IReadOnlyList<JurisdictionRef> jurisdictions, Interaction? interaction, CancellationToken cancellationToken, string? guildId = null, string? channelId = null, string? userId = null)
    {
        var context = new QuestionContext(DiscordTurnServices.Platform, interaction?.GuildId ?? guildId, interaction?.ChannelId ?? channelId, interaction?.Invoker?.Id ?? userId);
        var comparison = await new ComparisonComposer(services.Answerer, services.Catalog).CompareAsync(topic, jurisdictions, context, cancellationToken).ConfigureAwait(false);
        services.Metrics.RecordAnswer("compare");
        return comparison.Refusal is { } refused
            ? new MessageParams { Content = DiscordText.Defuse(refused.Text) }
            : AnswerFormatter.ComparisonMessage(comparison);
    }

    /// <summary>The 3-second rule: acknowledge first (type 5), answer later by editing @original.</summary>
    internal static Task DeferAsync(DiscordTurnServices services, Interaction interaction, bool isPrivate, CancellationToken cancellationToken) =>
        services.Rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<MessageParams>((int)InteractionCallbackType.DeferredChannelMessageWithSource, new MessageParams { Flags = isPrivate ? MessageFlags.Ephemeral : null, AllowedMentions = null }),
            cancellationToken);
}
