using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Core.State;
using PolicyBot.Core.Watching;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary>
/// <c>watch add topic: EU AI Act</c>, <c>watch add jurisdiction: EU</c>, <c>watch list</c>, <c>watch remove topic: EU AI Act</c>
/// (a bare <c>watch EU AI Act</c> adds): this channel or chat gets one notice when a live reload adds or changes a
/// matching document. The conversation reference (serviceUrl, conversation, bot) is stored with the watch, so the
/// notice is posted proactively, after restarts and from any replica. A channel's watches belong to the channel, not
/// to the thread they were typed in.
/// </summary>
internal sealed partial class WatchCommand(ConnectorClient connector, TimeProvider time, IWatchStore? store = null) : ITeamsArgumentCommand
{
    /// <summary>Without a state store (the latency bench's bare endpoint) there is nowhere to keep watches.</summary>
    public const string NoStore = "Watches need PolicyBot's state store, and this endpoint runs without one.";

    public const string Platform = "teams";

    public const string Usage = "Type **watch add topic: EU AI Act**, **watch add jurisdiction: EU**, **watch list** or **watch remove topic: EU AI Act**.";

    public string Name => "watch";

    [GeneratedRegex(";messageid=.*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ThreadSuffix();

    public async Task HandleAsync(Activity inbound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        var text = store is null ? NoStore : await ListTextAsync(inbound, cancellationToken).ConfigureAwait(false) + "\n\n" + Usage;
        await connector.ReplyTextAsync(inbound, text, cancellationToken).ConfigureAwait(false);
    }

    public async Task HandleAsync(Activity inbound, string arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        var text = store is null ? NoStore : await RunAsync(inbound, arguments ?? "", cancellationToken).ConfigureAwait(false);
        await connector.ReplyTextAsync(inbound, text, cancellationToken).ConfigureAwait(false);
    }

    private IWatchStore Watches => store ?? throw new InvalidOperationException(NoStore);

    /// <summary>The conversation a watch posts to: a channel's root (thread suffix dropped), or the chat itself.</summary>
    public static string? ConversationKey(Activity inbound) =>
        inbound.Conversation?.Id is { Length: > 0 } id ? ThreadSuffix().Replace(id, "") : null;

    private async Task<string> RunAsync(Activity inbound, string arguments, CancellationToken cancellationToken)
    {
        var text = arguments.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? text : text[..space]).ToLowerInvariant();
        var rest = space < 0 ? "" : text[(space + 1)..];
        switch (verb)
        {
            case "list":
                return await ListTextAsync(inbound, cancellationToken).ConfigureAwait(false);
            case "remove" or "stop" or "delete":
                return await RemoveAsync(inbound, rest, cancellationToken).ConfigureAwait(false);
            case "add":
                return await AddAsync(inbound, rest, cancellationToken).ConfigureAwait(false);
            case "help" or "":
                return Usage;
            default:
                return await AddAsync(inbound, text, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> AddAsync(Activity inbound, string text, CancellationToken cancellationToken)
    {
        if (ConversationKey(inbound) is not { } conversation || inbound.ServiceUrl is not { Length: > 0 } serviceUrl)
        {
            return "I can't tell which conversation this is, so I can't watch anything here.";
        }

        if (WatchTarget.Parse(text) is not { } target)
        {
            return NoTarget(text);
        }

        var reference = new JsonObject
        {
            ["serviceUrl"] = serviceUrl,
            ["conversationId"] = conversation,
            ["conversationType"] = inbound.Conversation?.ConversationType,
            ["tenantId"] = inbound.TenantId,
            ["botId"] = inbound.Recipient?.Id,
            ["botName"] = inbound.Recipient?.Name,
            // The Bot Framework conversation reference's user (the Teams-scoped 29:… id only): outbound activities name a recipient.
            ["userId"] = inbound.From?.Id,
        };
        var watch = new Watch
        {
            Platform = Platform,
            ServerId = inbound.TeamId ?? inbound.TenantId,
            ChannelId = conversation,
            Kind = target.Kind,
            Key = target.Key,
            Label = target.Label,
            Reference = reference.ToJsonString(),
            CreatedAt = time.GetUtcNow(),
        };
        var shown = Escape(target.Describe());
        return await Watches.AddWatchAsync(watch, WatchTarget.MaxPerChannel, cancellationToken).ConfigureAwait(false) switch
        {
            WatchAddResult.Added => $"Watching {shown} here: when a source on it is added or changes, I'll post one notice in this {Place(inbound)}.",
            WatchAddResult.Exists => $"This {Place(inbound)} already watches {shown}.",
            _ => $"This {Place(inbound)} already has {WatchTarget.MaxPerChannel} watches, the most it can have. Remove one with **watch remove** first.",
        };
    }

    private async Task<string> RemoveAsync(Activity inbound, string text, CancellationToken cancellationToken)
    {
        if (ConversationKey(inbound) is not { } conversation)
        {
            return "I can't tell which conversation this is.";
        }

        if (WatchTarget.Parse(text) is not { } target)
        {
            return NoTarget(text);
        }

        var shown = Escape(target.Describe());
        return await Watches.RemoveWatchAsync(Platform, conversation, target.Kind, target.Key, cancellationToken).ConfigureAwait(false)
            ? $"This {Place(inbound)} no longer watches {shown}."
            : $"This {Place(inbound)} does not watch {shown}. " + await ListTextAsync(inbound, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ListTextAsync(Activity inbound, CancellationToken cancellationToken)
    {
        if (ConversationKey(inbound) is not { } conversation)
        {
            return "I can't tell which conversation this is.";
        }

        var list = await Watches.ListWatchesAsync(Platform, conversation, cancellationToken).ConfigureAwait(false);
        if (list.Count == 0)
        {
            return $"This {Place(inbound)} watches nothing yet.";
        }

        var sb = new StringBuilder($"This {Place(inbound)} watches:");
        foreach (var w in list)
        {
            sb.Append("\n- ").Append(w.ListEntry(Escape));
        }

        return sb.ToString();
    }

    private static string NoTarget(string text) => string.IsNullOrWhiteSpace(text)
        ? "Name a topic or a jurisdiction. " + Usage
        : text.TrimStart().StartsWith("jurisdiction", StringComparison.OrdinalIgnoreCase)
            ? "I don't know that jurisdiction. Try a code or a name such as EU, US, China, Hong Kong or Singapore."
            : "That topic has no words I can match. Try a topic such as EU AI Act, NIST AI RMF or generative AI.";

    private static string Place(Activity inbound) => inbound.Conversation?.ConversationType == "channel" ? "channel" : "chat";

    /// <summary>Stored or typed text in a Teams markdown message: formatting characters and tags shown as text, never rendered.</summary>
    public static string Escape(string text) =>
        TeamsAnswerFormatter.CardText(text).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);
}

/// <summary>
/// Posts watch notices proactively through the Bot Connector: to the stored conversation at the stored serviceUrl (which
/// came from an authenticated activity when the watch was added), as the stored bot account, no mentions.
/// </summary>
internal sealed class TeamsWatchNoticeSender(ConnectorClient connector, TrustedServiceUrls trusted) : IWatchNoticeSender
{
    public string Platform => WatchCommand.Platform;

    public async Task<WatchDelivery> SendAsync(Watch watch, WatchNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(notice);
        JsonObject? reference;
        try
        {
            reference = JsonNode.Parse(watch.Reference ?? "") as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            reference = null;
        }

        var serviceUrl = Str(reference?["serviceUrl"]);
        if (serviceUrl is null || !Uri.TryCreate(serviceUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            return WatchDelivery.Gone; // nothing to post to: the watch cannot work
        }

        // The serviceUrl was stored from an activity whose token validated, so it may carry the bot's token again.
        trusted.Trust(serviceUrl);
        var activity = new Activity
        {
            Type = ActivityTypes.Message,
            From = Str(reference?["botId"]) is { } botId ? new ChannelAccount { Id = botId, Name = Str(reference?["botName"]) } : null,
            Recipient = Str(reference?["userId"]) is { } userId ? new ChannelAccount { Id = userId } : null,
            Conversation = new ConversationAccount { Id = watch.ChannelId },
            TextFormat = "markdown",
            Text = Text(notice),
        };
        try
        {
            await connector.SendAsync(serviceUrl, watch.ChannelId, null, activity, cancellationToken).ConfigureAwait(false);
            return WatchDelivery.Sent;
        }
        catch (ConnectorException ex) when (ex.Status is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound)
        {
            // ConversationNotFound, BotNotInConversationRoster, ConversationBlockedByUser: permanent for this conversation.
            return WatchDelivery.Gone;
        }
    }

    /// <summary>"New source on EU AI Act: [Title](url) (Outlet, 12 July 2024) — ask me about it."</summary>
    public static string Text(WatchNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return notice.Text(WatchCommand.Escape, (title, url) => url is null ? $"**{title}**" : $"[{title}]({url.AbsoluteUri.Replace(")", "%29", StringComparison.Ordinal).Replace("(", "%28", StringComparison.Ordinal)})");
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
