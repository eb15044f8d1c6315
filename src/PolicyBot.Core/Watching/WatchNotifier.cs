using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.Core.Watching;

/// <summary>How a notice delivery ended.</summary>
public enum WatchDelivery
{
    Sent,

    /// <summary>The channel or conversation is gone or the bot was removed from it: its watches are dropped.</summary>
    Gone,

    /// <summary>Failed for now (logged); this document version is not announced again.</summary>
    Failed,
}

/// <summary>Posts a notice to one channel of one platform (Discord REST, Teams Bot Connector).</summary>
public interface IWatchNoticeSender
{
    /// <summary>"discord" or "teams": the <see cref="Watch.Platform"/> this sender serves.</summary>
    string Platform { get; }

    /// <summary>Posts <paramref name="notice"/> to the channel of <paramref name="watch"/> (any of that channel's watches: they share the channel and reference).</summary>
    Task<WatchDelivery> SendAsync(Watch watch, WatchNotice notice, CancellationToken cancellationToken);
}

/// <summary>A document a reload added or changed.</summary>
public sealed record CorpusChange(CorpusDocumentInfo Document, bool Added);

/// <summary>
/// After a live reload: for each added or changed document, one notice per channel with a matching watch. Each
/// (channel, document, content hash) is claimed first in the shared store's delivery claims, so a document version is
/// announced once however many replicas reload it, and again only when its content changes. Channels of platforms
/// this process does not serve are left to the processes that do.
/// </summary>
public sealed partial class WatchNotifier
{
    /// <summary>Claim scope of notices.</summary>
    public const string ClaimScope = "watch.notice";

    /// <summary>How long a claim holds: far beyond any index lifetime, so a rebuilt index never re-announces.</summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromDays(3650);

    /// <summary>More changed documents than this in one reload (a first import, a moved folder) are not announced one by one.</summary>
    public const int MaxDocumentsPerReload = 20;

    private readonly IWatchStore _store;
    private readonly IDeliveryClaims _claims;
    private readonly IReadOnlyDictionary<string, IWatchNoticeSender> _senders;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public WatchNotifier(IWatchStore store, IDeliveryClaims claims, IEnumerable<IWatchNoticeSender> senders, TimeProvider time, ILogger<WatchNotifier> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(senders);
        _store = store;
        _claims = claims;
        _senders = senders.ToDictionary(s => s.Platform, StringComparer.Ordinal);
        _time = time ?? TimeProvider.System;
        _logger = logger;
    }

    /// <summary>Announces <paramref name="changes"/>; returns how many notices this process sent.</summary>
    public async Task<int> NotifyAsync(IReadOnlyList<CorpusChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0 || _senders.Count == 0)
        {
            return 0;
        }

        if (changes.Count > MaxDocumentsPerReload)
        {
            LogTooMany(_logger, changes.Count, MaxDocumentsPerReload);
            return 0;
        }

        // Grouped once per reload, not once per changed document.
        var channels = (await _store.ReadAllWatchesAsync(cancellationToken).ConfigureAwait(false))
            .Where(w => _senders.ContainsKey(w.Platform))
            .GroupBy(w => (w.Platform, w.ChannelId))
            .ToList();
        if (channels.Count == 0)
        {
            return 0;
        }

        var sent = 0;
        var gone = new HashSet<(string, string)>();
        foreach (var change in changes)
        {
            var document = change.Document;
            foreach (var channel in channels)
            {
                if (gone.Contains(channel.Key))
                {
                    continue;
                }

                var matching = channel.Where(w => WatchMatcher.Matches(w, document)).ToList();
                if (matching.Count == 0)
                {
                    continue;
                }

                var claim = ClaimId(channel.Key.Platform, channel.Key.ChannelId, document);
                if (!await _claims.TryClaimAsync(ClaimScope, claim, ClaimLifetime, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                {
                    LogAlreadyAnnounced(_logger, channel.Key.Platform, document.Path);
                    continue;
                }

                var notice = WatchNotice.For(matching, document);
                WatchDelivery result;
                try
                {
                    result = await _senders[channel.Key.Platform].SendAsync(matching[0], notice, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogSendFailed(_logger, channel.Key.Platform, document.Path, ex);
                    result = WatchDelivery.Failed;
                }

                switch (result)
                {
                    case WatchDelivery.Sent:
                        sent++;
                        LogSent(_logger, channel.Key.Platform, document.Path, matching.Count);
                        break;
                    case WatchDelivery.Gone:
                        gone.Add(channel.Key);
                        var removed = await _store.RemoveChannelWatchesAsync(channel.Key.Platform, channel.Key.ChannelId, cancellationToken).ConfigureAwait(false);
                        LogGone(_logger, channel.Key.Platform, removed);
                        break;
                }
            }
        }

        return sent;
    }

    /// <summary>SHA-256 of platform, channel, document path and content hash (fixed length, no ids in the store).</summary>
    public static string ClaimId(string platform, string channelId, CorpusDocumentInfo document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var version = document.ContentHash.Length > 0 ? document.ContentHash : $"{document.LastIndexed.UtcTicks}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{platform}\n{channelId}\n{document.Path}\n{version}")));
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Watch notice sent on {Platform} for {Document} ({Watches} matching watches in the channel)")]
    private static partial void LogSent(ILogger logger, string platform, string document, int watches);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Watch notice on {Platform} for {Document} was already claimed (another replica, or this version was announced)")]
    private static partial void LogAlreadyAnnounced(ILogger logger, string platform, string document);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Watch notice on {Platform} for {Document} could not be sent; this version will not be announced again")]
    private static partial void LogSendFailed(ILogger logger, string platform, string document, Exception exception);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "A {Platform} channel with watches is gone or removed the bot; dropped its {Removed} watches")]
    private static partial void LogGone(ILogger logger, string platform, int removed);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "The reload changed {Changed} documents (more than {Max}); watch notices are sent for smaller reloads only")]
    private static partial void LogTooMany(ILogger logger, int changed, int max);
}
