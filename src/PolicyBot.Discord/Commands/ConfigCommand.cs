using System.Globalization;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary><c>/config channels add|remove|list|clear</c>: where mentions are answered (Manage Server only).</summary>
internal sealed class ConfigCommand(DiscordTurnServices services) : IDiscordCommand
{
    private const ulong ManageGuild = 1UL << 5;
    private const ulong Administrator = 1UL << 3;

    public string Name => "config";

    public async Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
        => await services.RespondEphemeralAsync(interaction, await ConfigureAsync(interaction, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<string> ConfigureAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        if (interaction.GuildId is not { } guildId)
        {
            return "Server settings can only be changed inside a server.";
        }

        if (!ulong.TryParse(interaction.Member?.Permissions, NumberStyles.None, CultureInfo.InvariantCulture, out var permissions)
            || (permissions & (ManageGuild | Administrator)) == 0)
        {
            return "Only members with the Manage Server permission can change where PolicyBot answers.";
        }

        var platform = DiscordTurnServices.Platform;
        var group = options.FirstOrDefault(o => o.Type == (int)ApplicationCommandOptionType.SubCommandGroup && o.Name == "channels");
        var sub = group?.Options?.FirstOrDefault(o => o.Type == (int)ApplicationCommandOptionType.SubCommand);
        var current = await services.Settings.GetAnswerChannelsAsync(platform, guildId, cancellationToken).ConfigureAwait(false);
        var channel = sub?.Options is { } subOptions ? DiscordTurnServices.StringOption(subOptions, "channel") : null;
        switch (sub?.Name)
        {
            case "add" when channel is not null:
                var added = (current ?? []).Append(channel).Distinct(StringComparer.Ordinal).ToList();
                await services.Settings.SetAnswerChannelsAsync(platform, guildId, added, cancellationToken).ConfigureAwait(false);
                return $"PolicyBot now answers mentions in: {ChannelList(added)}.";
            case "remove" when channel is not null:
                var left = (current ?? []).Where(c => c != channel).ToList();
                await services.Settings.SetAnswerChannelsAsync(platform, guildId, left.Count == 0 ? null : left, cancellationToken).ConfigureAwait(false);
                return left.Count == 0 ? "The channel list is now empty: PolicyBot answers mentions in every channel it can read." : $"PolicyBot now answers mentions in: {ChannelList(left)}.";
            case "clear":
                await services.Settings.SetAnswerChannelsAsync(platform, guildId, null, cancellationToken).ConfigureAwait(false);
                return "PolicyBot answers mentions in every channel it can read.";
            case "list":
                return current is null ? "PolicyBot answers mentions in every channel it can read." : $"PolicyBot answers mentions in: {ChannelList(current)}.";
            default:
                return "Use `/config channels add`, `remove`, `list` or `clear`.";
        }
    }

    private static string ChannelList(IEnumerable<string> channels) => string.Join(", ", channels.Select(c => $"<#{c}>"));
}
