using System.Text.Json;
using PolicyBot.Core.Commands;
using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary><c>/ask question:&lt;text&gt; [private:&lt;bool&gt;]</c>, with autocomplete from the corpus titles and topics.</summary>
internal sealed class AskCommand(DiscordTurnServices services) : IDiscordCommand, IDiscordAutocomplete
{
    public const string Help = $"Ask me a question about AI policy, for example `/ask question: {BotTexts.ExampleQuestion}` or mention me with your question.";

    public string Name => "ask";

    public Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var text = DiscordText.Normalize(DiscordTurnServices.StringOption(options, "question"));
        var isPrivate = DiscordTurnServices.BoolOption(options, "private") ?? false;
        return SlashReply.RunAsync(services, interaction, Name, isPrivate, async ct =>
        {
            if (text.Length == 0)
            {
                return new SlashResult([new MessageParams { Content = Help }], Refused: false);
            }

            if (Core.Answering.ComparisonComposer.Detect(text) is { } compare)
            {
                // A question naming two or more jurisdictions is answered as a side-by-side comparison.
                return await CompareCommand.CompareAsync(services, compare.Topic, compare.Jurisdictions, interaction, ct).ConfigureAwait(false);
            }

            var answer = await services.AnswerAsync(text, interaction.GuildId, interaction.ChannelId, interaction.Invoker?.Id, null, ct).ConfigureAwait(false);
            services.Metrics.RecordAnswer("slash");
            return new SlashResult(AnswerFormatter.Format(answer), answer.Outcome == AnswerOutcome.Refused);
        }, cancellationToken);
    }

    public async Task AutocompleteAsync(Interaction interaction, ApplicationCommandInteractionDataOption? focused, CancellationToken cancellationToken)
    {
        var prefix = focused?.Value is { ValueKind: JsonValueKind.String } v ? DiscordText.Normalize(v.GetString()) : "";
        var choices = services.Catalog.Suggest(prefix, 25)
            .Select(s => Core.Text.TextCut.Truncate(s, 100))
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Take(25)
            .Select(s => new ApplicationCommandOptionChoice(s, s))
            .ToList();
        await services.Rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<AutocompleteCallbackData>((int)InteractionCallbackType.ApplicationCommandAutocompleteResult, new AutocompleteCallbackData(choices)),
            cancellationToken).ConfigureAwait(false);
    }
}
