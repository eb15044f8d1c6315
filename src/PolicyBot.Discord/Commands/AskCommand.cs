using System.Text.Json;
using PolicyBot.Core.Commands;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary><c>/ask question:&lt;text&gt; [private:&lt;bool&gt;]</c>, with autocomplete from the corpus titles and topics.</summary>
internal sealed class AskCommand(DiscordTurnServices services) : IDiscordCommand, IDiscordAutocomplete
{
    public const string Help = $"Ask me a question about AI policy, for example `/ask question: {BotTexts.ExampleQuestion}` or mention me with your question.";

    public string Name => "ask";

    public async Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var text = DiscordText.Normalize(DiscordTurnServices.StringOption(options, "question"));
        var isPrivate = DiscordTurnServices.BoolOption(options, "private") ?? false;
        var flags = isPrivate ? MessageFlags.Ephemeral : (int?)null;

        // The 3-second rule: acknowledge first (type 5), answer later by editing @original.
        await services.Rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<MessageParams>((int)InteractionCallbackType.DeferredChannelMessageWithSource, new MessageParams { Flags = flags, AllowedMentions = null }),
            cancellationToken).ConfigureAwait(false);

        IReadOnlyList<MessageParams> messages;
        if (text.Length == 0)
        {
            messages = [new MessageParams { Content = Help }];
        }
        else
        {
            try
            {
                var answer = await services.AnswerAsync(text, interaction.GuildId, interaction.ChannelId, interaction.Invoker?.Id, null, cancellationToken).ConfigureAwait(false);
                messages = AnswerFormatter.Format(answer);
                services.Metrics.RecordAnswer("slash");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                DiscordTurnLog.TurnFailed(services.Logger, "ask", interaction.ChannelId ?? "", ex);
                messages = [new MessageParams { Content = BotTexts.Apology }];
            }
        }

        await services.Rest.EditOriginalResponseAsync(services.ApplicationIdFor(interaction), interaction.Token, messages[0] with { AllowedMentions = AllowedMentions.None }, cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < messages.Count; i++)
        {
            await services.FollowUpAsync(interaction, messages[i] with { Flags = flags }, cancellationToken).ConfigureAwait(false);
        }
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
