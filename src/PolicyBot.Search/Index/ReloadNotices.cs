using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Watching;

namespace PolicyBot.Search.Index;

/// <summary>
/// Hands each live reload that added or changed documents to the <see cref="WatchNotifier"/>, one reload at a time on
/// a background loop (the watcher's own loop never waits for Discord or Teams). The index opened at start-up is not
/// announced: only documents a live reload brings in are "new" to the channels watching them.
/// </summary>
public sealed partial class ReloadNotices : IAsyncDisposable
{
    private readonly CorpusWatcher _watcher;
    private readonly PolicyBotEngine _engine;
    private readonly WatchNotifier _notifier;
    private readonly ILogger _logger;
    private readonly Channel<IReadOnlyList<CorpusChange>> _queue = Channel.CreateBounded<IReadOnlyList<CorpusChange>>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _handled;

    public ReloadNotices(CorpusWatcher watcher, PolicyBotEngine engine, WatchNotifier notifier, ILogger<ReloadNotices> logger)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(notifier);
        _watcher = watcher;
        _engine = engine;
        _notifier = notifier;
        _logger = logger;
        _watcher.Reloaded += OnReloaded;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Reloads whose notices have been handled (sent, claimed elsewhere or failed) since start.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>The added and updated documents of <paramref name="report"/>, as the engine now catalogs them.</summary>
    public static IReadOnlyList<CorpusChange> Changes(IndexReport report, IReadOnlyList<PolicyBot.Core.Conversation.CorpusDocumentInfo> documents)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(documents);
        var byPath = documents.ToDictionary(d => d.Path, StringComparer.Ordinal);
        return report.Added.Select(p => (Path: p, Added: true))
            .Concat(report.Updated.Select(p => (Path: p, Added: false)))
            .Where(c => byPath.ContainsKey(c.Path))
            .Select(c => new CorpusChange(byPath[c.Path], c.Added))
            .ToList();
    }

    private void OnReloaded(IndexReport? report, Exception? error, TimeSpan elapsed)
    {
        if (report is null || report.Added.Count + report.Updated.Count == 0)
        {
            Interlocked.Increment(ref _handled);
            return;
        }

        var changes = Changes(report, _engine.Documents);
        if (!_queue.Writer.TryWrite(changes))
        {
            Interlocked.Increment(ref _handled);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var changes in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _notifier.NotifyAsync(changes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogNotifyFailed(_logger, changes.Count, ex);
                }
                finally
                {
                    Interlocked.Increment(ref _handled);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _watcher.Reloaded -= OnReloaded;
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 6615, Level = LogLevel.Error, Message = "Watch notices for a reload of {Changed} documents failed")]
    private static partial void LogNotifyFailed(ILogger logger, int changed, Exception exception);
}
