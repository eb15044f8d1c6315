using System.Globalization;
using System.Text;
using PolicyBot.Core.State;
using PolicyBot.Core.Watching;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// <c>/watch add topic:&lt;t&gt;|jurisdiction:&lt;j&gt;</c>, <c>/watch list</c>, <c>/watch remove topic:&lt;t&gt;|jurisdiction:&lt;j&gt;</c>: this
/// channel gets one notice when a live reload adds or changes a matching document. Adding and removing need Manage
/// Server or Manage Channels (or Administrator) in the member's permissions for this channel, as the interaction
/// carries them (channel overwrites included); listing is open to everyone. Every reply is ephemeral.
/// </summary>
internal sealed class WatchCommand(DiscordTurnServices services) : IDiscordCommand
{
    public const ulong Administrator = 1UL << 3;
    public const ulong ManageChannels = 1UL << 4;
    public const ulong ManageGuild = 1UL << 5;

    public const string Usage = "Use `/watch add topic: EU AI Act`, `/watch add jurisdiction: EU`, `/watch list` or `/watch remove topic: EU AI Act`.";

    public string Name => "watch";

    public async Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
        => await services.RespondEphemeralAsync(interaction, await RunAsync(interaction, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Whether the member may change this channel's watches: Manage Server, Manage Channels or Administrator.</summary>
    public static bool MayManage(Interaction interaction) =>
        ulong.TryParse(interaction.Member?.Permissions, NumberStyles.None, CultureInfo.InvariantCulture, out var permissions)
        && (permissions & (ManageGuild | ManageChannels | Administrator)) != 0;

    private async Task<string> RunAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        if (interaction.GuildId is not { } guildId || interaction.ChannelId is not { Length: > 0 } channelId)
        {
            return "Watches belong to a server channel: run `/watch` in the channel that should get the notices.";
        }

        var sub = options.FirstOrDefault(o => o.Type == (int)ApplicationCommandOptionType.SubCommand);
        var subOptions = sub?.Options ?? [];
        var platform = DiscordTurnServices.Platform;
        if (sub?.Name == "list")
        {
            return ListText(await services.Watches.ListWatchesAsync(platform, channelId, cancellationToken).ConfigureAwait(false));
        }

        if (sub?.Name is not ("add" or "remove"))
        {
            return Usage;
        }

        if (!MayManage(interaction))
        {
            return "Only members with the Manage Server or Manage Channels permission can change what this channel watches. `/watch list` shows what it watches.";
        }

        var topicText = DiscordText.Normalize(DiscordTurnServices.StringOption(subOptions, "topic"));
        var jurisdictionText = DiscordText.Normalize(DiscordTurnServices.StringOption(subOptions, "jurisdiction"));
        if ((topicText.Length == 0) == (jurisdictionText.Length == 0))
        {
            return "Give either a topic or a jurisdiction (one of them). " + Usage;
        }

        var target = topicText.Length > 0 ? WatchTarget.Topic(topicText) : WatchTarget.Jurisdiction(jurisdictionText);
        if (target is null)
        {
            return topicText.Length > 0
                ? "That topic has no words I can match. Try a topic such as `EU AI Act`, `NIST AI RMF` or `generative AI`."
                : "I don't know that jurisdiction. Try a code or a name such as `EU`, `US`, `China`, `Hong Kong` or `Singapore`.";
        }

        var shown = Escape(target.Describe());
        if (sub.Name == "remove")
        {
            return await services.Watches.RemoveWatchAsync(platform, channelId, target.Kind, target.Key, cancellationToken).ConfigureAwait(false)
                ? $"This channel no longer watches {shown}."
                : $"This channel does not watch {shown}. " + ListText(await services.Watches.ListWatchesAsync(platform, channelId, cancellationToken).ConfigureAwait(false));
        }

        var watch = new Watch
        {
            Platform = platform,
            ServerId = guildId,
            ChannelId = channelId,
            Kind = target.Kind,
            Key = target.Key,
            Label = target.Label,
            CreatedAt = services.Time.GetUtcNow(),
        };
        return await services.Watches.AddWatchAsync(watch, WatchTarget.MaxPerChannel, cancellationToken).ConfigureAwait(false) switch
        {
            WatchAddResult.Added => $"This channel now watches {shown}: when a source on it is added or changes, I'll post one notice here.",
            WatchAddResult.Exists => $"This channel already watches {shown}.",
            _ => $"This channel already has {WatchTarget.MaxPerChannel} watches, the most it can have. Remove one with `/watch remove` first.",
        };
    }

    private static string ListText(IReadOnlyList<Watch> watches)
    {
        if (watches.Count == 0)
        {
            return "This channel watches nothing yet. " + Usage;
        }

        var sb = new StringBuilder("This channel watches:");
        foreach (var w in watches)
        {
            sb.Append("\n• ").Append(w.ListEntry(Escape));
        }

        return Core.Text.TextCut.Truncate(sb.ToString(), AnswerFormatter.MaxContent);
    }

    /// <summary>
    /// Stored or corpus text in a reply: markdown, masked-link brackets and mention syntax (<c>&lt;@…&gt;</c>) shown as
    /// typed, @everyone/@here defused (allowed_mentions is empty as well, so nothing could ping anyway).
    /// </summary>
    public static string Escape(string text) => AnswerFormatter.Escape(text)
        .Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal).Replace("<", "\\<", StringComparison.Ordinal);
}

/// <summary>Posts watch notices to Discord channels (REST, no allowed mentions, no link previews).</summary>
internal sealed class DiscordWatchNoticeSender(Rest.DiscordRestClient rest) : IWatchNoticeSender
{
    public string Platform => DiscordTurnServices.Platform;

    public async Task<WatchDelivery> SendAsync(Watch watch, WatchNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(notice);
        try
        {
            await rest.CreateMessageAsync(watch.ChannelId, Message(notice), cancellationToken).ConfigureAwait(false);
            return WatchDelivery.Sent;
        }
        catch (Rest.DiscordHttpException ex) when (ex.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden)
        {
            // Unknown channel, or the bot can no longer see or post in it: its watches go.
            return WatchDelivery.Gone;
        }
    }

    /// <summary>"New source on **EU AI Act**: [Title](&lt;url&gt;) (Outlet, 12 July 2024) — ask me about it."</summary>
    public static MessageParams Message(WatchNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var text = notice.Text(
            WatchCommand.Escape,
            (title, url) => AnswerFormatter.LinkUrl(url) is { } link
                ? $"[{title}](<{link}>)"
                : $"**{title}**");
        return new MessageParams
        {
            Content = Core.Text.TextCut.Truncate(text, AnswerFormatter.MaxContent),
            AllowedMentions = AllowedMentions.None,
        };
    }
}
