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

    public Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var topic = DiscordText.Normalize(DiscordTurnServices.StringOption(options, "topic"));
        var jurisdictions = JurisdictionNames.ParseList(DiscordText.Normalize(DiscordTurnServices.StringOption(options, "jurisdictions")), ComparisonComposer.MaxJurisdictions);
        var isPrivate = DiscordTurnServices.BoolOption(options, "private") ?? false;
        return SlashReply.RunAsync(services, interaction, Name, isPrivate, async ct => topic.Length == 0
            ? new SlashResult([new MessageParams { Content = "Name a topic to compare, for example `/compare topic: AI regulation jurisdictions: EU, US, China`." }], Refused: false)
            : await CompareAsync(services, topic, jurisdictions, interaction, ct).ConfigureAwait(false), cancellationToken);
    }

    /// <summary>The comparison message (or the refusal's text when the answerer refused), for /compare and for questions naming two or more jurisdictions.</summary>
    public static async Task<SlashResult> CompareAsync(DiscordTurnServices services, string topic, IReadOnlyList<JurisdictionRef> jurisdictions, Interaction? interaction, CancellationToken cancellationToken, string? guildId = null, string? channelId = null, string? userId = null)
    {
        var context = new QuestionContext(DiscordTurnServices.Platform, interaction?.GuildId ?? guildId, interaction?.ChannelId ?? channelId, interaction?.Invoker?.Id ?? userId);
        var comparison = await new ComparisonComposer(services.Answerer, services.Catalog).CompareAsync(topic, jurisdictions, context, cancellationToken).ConfigureAwait(false);
        services.Metrics.RecordAnswer("compare");
        return comparison.Refusal is { } refused
            ? SlashResult.Refusal(refused.Text)
            : new SlashResult([AnswerFormatter.ComparisonMessage(comparison)], Refused: false);
    }
}
