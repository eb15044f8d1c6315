using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Operations;

namespace PolicyBot.Search.Index;

/// <summary>
/// Watches every corpus folder and refreshes the engine after a quiet period (debounced), so an add, edit,
/// delete or rename lands without a restart. The engine builds beside the live snapshot and swaps it in, so
/// questions keep being answered during the refresh; broken files are reported by the refresh and skipped.
/// </summary>
public sealed partial class CorpusWatcher : IAsyncDisposable
{
    private readonly PolicyBotEngine _engine;
    private readonly TimeSpan _debounce;
    private readonly PolicyBotMetrics _metrics;
    private readonly ILogger _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private long _lastChange;
    private Task? _loop;
    private int _reloads;

    public CorpusWatcher(PolicyBotEngine engine, TimeSpan debounce, PolicyBotMetrics metrics, ILogger<CorpusWatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _engine = engine;
        _debounce = debounce;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Raised after each refresh with its report (or the exception when it failed).</summary>
    public event Action<IndexReport?, Exception?, TimeSpan>? Reloaded;

    /// <summary>Refreshes done since start.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    public void Start()
    {
        foreach (var dir in _engine.Options.CorpusDirectories.DefaultIfEmpty(PolicyBotOptions.DefaultCorpus))
        {
            if (!Directory.Exists(dir))
            {
                LogMissingFolder(_logger, dir);
                continue;
            }

            var watcher = new FileSystemWatcher(dir)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                InternalBufferSize = 64 * 1024,
            };
            watcher.Changed += OnChange;
            watcher.Created += OnChange;
            watcher.Deleted += OnChange;
            watcher.Renamed += OnChange;
            watcher.Error += OnError;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
            LogWatching(_logger, Path.GetFullPath(dir));
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Asks for a refresh as if a file had changed (used when the watcher overflowed, and by tests).</summary>
    public void Poke()
    {
        Interlocked.Exchange(ref _lastChange, Stopwatch.GetTimestamp());
        _signal.Release();
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        // Editors and git write temporary files beside the real ones; anything under .git is not corpus.
        if (e.FullPath.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        {
            return;
        }

        Poke();
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        // An overflowed buffer loses events: refresh anyway, the sync compares the whole folder.
        LogWatcherError(_logger, e.GetException());
        Poke();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);

                // Debounce: wait until no change arrived for the quiet period.
                while (true)
                {
                    var since = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastChange));
                    if (since >= _debounce)
                    {
                        break;
                    }

                    await Task.Delay(_debounce - since, cancellationToken).ConfigureAwait(false);
                }

                while (_signal.CurrentCount > 0)
                {
                    await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var report = await _engine.RefreshAsync(cancellationToken).ConfigureAwait(false);
            sw.Stop();
            _metrics.IndexBuilt(sw.Elapsed, ok: true, report.Skipped.Count);
            LogReloaded(_logger, report.Added.Count, report.Updated.Count, report.Removed.Count, report.Skipped.Count, sw.Elapsed.TotalMilliseconds, _engine.CorpusVersion);
            Interlocked.Increment(ref _reloads);
            Reloaded?.Invoke(report, null, sw.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The live snapshot stays as it was; the next change retries.
            sw.Stop();
            _metrics.IndexBuilt(sw.Elapsed, ok: false, 0);
            LogReloadFailed(_logger, ex);
            Interlocked.Increment(ref _reloads);
            Reloaded?.Invoke(null, ex, sw.Elapsed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var watcher in _watchers)
        {
            watcher.EnableRaisingEvents = false;
            watcher.Dispose();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    [LoggerMessage(EventId = 6610, Level = LogLevel.Information, Message = "Watching corpus folder {Folder} for changes")]
    private static partial void LogWatching(ILogger logger, string folder);

    [LoggerMessage(EventId = 6611, Level = LogLevel.Warning, Message = "Corpus folder {Folder} does not exist; it is not watched")]
    private static partial void LogMissingFolder(ILogger logger, string folder);

    [LoggerMessage(EventId = 6612, Level = LogLevel.Warning, Message = "Corpus watcher error; refreshing the whole index")]
    private static partial void LogWatcherError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6613, Level = LogLevel.Information, Message = "Corpus reloaded: {Added} added, {Updated} updated, {Removed} removed, {Skipped} skipped in {ElapsedMs:F0} ms; serving {CorpusVersion}")]
    private static partial void LogReloaded(ILogger logger, int added, int updated, int removed, int skipped, double elapsedMs, string corpusVersion);

    [LoggerMessage(EventId = 6614, Level = LogLevel.Error, Message = "Corpus reload failed; still serving the previous index")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
