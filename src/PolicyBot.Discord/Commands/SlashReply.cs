using PolicyBot.Core.Commands;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>What an answering slash command produced: its messages, and whether they are a refusal (rate limit, queue full…).</summary>
internal sealed record SlashResult(IReadOnlyList<MessageParams> Messages, bool Refused)
{
    public static SlashResult Refusal(string text) => new([new MessageParams { Content = DiscordText.Defuse(text) }], Refused: true);
}

/// <summary>
/// The reply flow of the answering slash commands (<c>/ask</c>, <c>/compare</c>, <c>/brief</c>). A refusal is shown to the
/// asker only: ephemeral (flags 64), no embeds, no buttons. Refusals are decided before any search (rate limits,
/// a full queue, a channel outside <c>/config channels</c>), so the command waits a short moment for its result
/// before acknowledging: a refusal in that moment is the interaction's one ephemeral response, anything else is
/// acknowledged with "thinking…" (type 5, within Discord's 3 seconds) and sent by editing it. A refusal that still
/// comes later replaces the public "thinking…" with an ephemeral follow-up.
/// </summary>
internal static class SlashReply
{
    /// <summary>How long a command waits for its result before acknowledging (far inside Discord's 3 seconds).</summary>
    public static readonly TimeSpan RefusalWindow = TimeSpan.FromMilliseconds(250);

    public static async Task RunAsync(DiscordTurnServices services, Interaction interaction, string name, bool isPrivate, Func<CancellationToken, Task<SlashResult>> work, CancellationToken cancellationToken)
    {
        if (!isPrivate && await ChannelRefusalAsync(services, interaction, cancellationToken).ConfigureAwait(false) is { } notHere)
        {
            await services.RespondEphemeralAsync(interaction, notHere, cancellationToken).ConfigureAwait(false);
            return;
        }

        // On the thread pool: the work (refusal checks, then the search) may run synchronously for a long time before
        // its first await, and the acknowledgement must not wait for it beyond the refusal window.
        var task = Task.Run(() => SafelyAsync(services, interaction, name, work, cancellationToken), cancellationToken);
        var early = await Task.WhenAny(task, Task.Delay(RefusalWindow, services.Time, cancellationToken)).ConfigureAwait(false) == task;
        if (early && task.Result.Refused)
        {
            await services.RespondAsync(interaction, task.Result.Messages[0] with { Flags = MessageFlags.Ephemeral, Components = null, Embeds = null }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var flags = isPrivate ? MessageFlags.Ephemeral : (int?)null;
        await services.Rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<MessageParams>((int)InteractionCallbackType.DeferredChannelMessageWithSource, new MessageParams { Flags = flags, AllowedMentions = null }),
            cancellationToken).ConfigureAwait(false);
        var result = await task.ConfigureAwait(false);
        var applicationId = services.ApplicationIdFor(interaction);
        if (result.Refused && !isPrivate)
        {
            // The public "thinking…" goes; the asker alone sees why.
            await services.Rest.DeleteOriginalResponseAsync(applicationId, interaction.Token, cancellationToken).ConfigureAwait(false);
            await services.FollowUpAsync(interaction, result.Messages[0] with { Flags = MessageFlags.Ephemeral, Components = null, Embeds = null }, cancellationToken).ConfigureAwait(false);
            return;
        }

        await services.Rest.EditOriginalResponseAsync(applicationId, interaction.Token, result.Messages[0] with { AllowedMentions = AllowedMentions.None }, cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < result.Messages.Count; i++)
        {
            await services.FollowUpAsync(interaction, result.Messages[i] with { Flags = flags }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The refusal for a public answer in a channel outside the server's <c>/config channels</c> list, or null.</summary>
    private static async Task<string?> ChannelRefusalAsync(DiscordTurnServices services, Interaction interaction, CancellationToken cancellationToken)
    {
        if (interaction.GuildId is not { } guildId || interaction.ChannelId is not { } channelId)
        {
            return null;
        }

        var allowed = await services.Settings.GetAnswerChannelsAsync(DiscordTurnServices.Platform, guildId, cancellationToken).ConfigureAwait(false);
        if (allowed is null || allowed.Contains(channelId))
        {
            return null;
        }

        DiscordTurnLog.ChannelNotAllowed(services.Logger, guildId, channelId);
        var channels = string.Join(", ", allowed.Take(10).Select(c => $"<#{c}>"));
        return $"This server has me answer in {channels}. Ask there, or add `private: True` to get the answer here, visible only to you.";
    }

    private static async Task<SlashResult> SafelyAsync(DiscordTurnServices services, Interaction interaction, string name, Func<CancellationToken, Task<SlashResult>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DiscordTurnLog.TurnFailed(services.Logger, name, interaction.ChannelId ?? "", ex);
            return new SlashResult([new MessageParams { Content = BotTexts.Apology }], Refused: false);
        }
    }
}
