using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyBot.Core;
using PolicyBot.Core.Operations;
using PolicyBot.Core.Watching;
using PolicyBot.Search;
using PolicyBot.Search.Index;

namespace PolicyBot.Host.Serve;

/// <summary>
/// Opens the index (building or refreshing it from the corpus) in the background, so /healthz answers at once
/// and /readyz turns ready when it is loaded; then watches the corpus folders for live reloads, each of which
/// adding or changing documents goes to the watch notices.
/// </summary>
internal sealed partial class IndexService(
    PolicyBotOptions options,
    LiveIndex live,
    PolicyBotMetrics metrics,
    ILoggerFactory loggers,
    ILogger<IndexService> logger,
    IHostApplicationLifetime lifetime,
    ServeSettings settings,
    WatchNotifier notifier) : BackgroundService
{
    private CorpusWatcher? _watcher;
    private ReloadNotices? _notices;

    public CorpusWatcher? Watcher => _watcher;

    /// <summary>The watch notices of live reloads (null until the index has loaded).</summary>
    public ReloadNotices? Notices => _notices;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sw = Stopwatch.StartNew();
        PolicyBotEngine engine;
        try
        {
            engine = await PolicyBotEngine.OpenAsync(options, loggers, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // Without an index there is nothing to serve: stop and let the supervisor restart.
            LogOpenFailed(logger, options.IndexPath, ex);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        metrics.IndexBuilt(sw.Elapsed, ok: true, engine.LastReport.Skipped.Count);
        live.Set(engine);
        LogOpened(logger, engine.View.Documents.Count, engine.View.PassageCount, engine.CorpusVersion, sw.Elapsed.TotalMilliseconds);
        if (engine.View.PassageCount == 0)
        {
            LogEmpty(logger, string.Join(", ", options.CorpusDirectories.DefaultIfEmpty(PolicyBotOptions.DefaultCorpus)));
        }

        _watcher = new CorpusWatcher(engine, settings.Operations.ReloadDebounce, metrics, loggers.CreateLogger<CorpusWatcher>());
        _notices = new ReloadNotices(_watcher, engine, notifier, loggers.CreateLogger<ReloadNotices>());
        _watcher.Start();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync().ConfigureAwait(false);
        }

        if (_notices is not null)
        {
            await _notices.DisposeAsync().ConfigureAwait(false);
        }

        if (live.Engine is { } engine)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 6620, Level = LogLevel.Information, Message = "Index loaded: {Documents} documents, {Passages} passages, corpus version {CorpusVersion}, in {ElapsedMs:F0} ms")]
    private static partial void LogOpened(ILogger logger, int documents, int passages, string corpusVersion, double elapsedMs);

    [LoggerMessage(EventId = 6621, Level = LogLevel.Critical, Message = "Could not open the index {IndexPath}; stopping")]
    private static partial void LogOpenFailed(ILogger logger, string indexPath, Exception exception);

    [LoggerMessage(EventId = 6622, Level = LogLevel.Warning, Message = "The corpus ({Corpus}) has no documents to answer from; every question will be abstained")]
    private static partial void LogEmpty(ILogger logger, string corpus);
}

/// <summary>On SIGTERM, before anything else stops: refuse new questions and give those in flight a bounded time to finish.</summary>
internal sealed partial class DrainService(OperatedAnswerer answerer, ServeSettings settings, ILogger<DrainService> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        answerer.BeginDrain();
        var inFlight = answerer.InFlight;
        LogDraining(logger, inFlight, settings.Operations.DrainTimeout.TotalSeconds);
        var idle = await answerer.WaitForIdleAsync(settings.Operations.DrainTimeout, cancellationToken).ConfigureAwait(false);
        if (idle)
        {
            LogDrained(logger);
        }
        else
        {
            LogDrainTimedOut(logger, answerer.InFlight);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6630, Level = LogLevel.Information, Message = "Stopping: no new questions; waiting up to {Seconds} s for {InFlight} in flight")]
    private static partial void LogDraining(ILogger logger, int inFlight, double seconds);

    [LoggerMessage(EventId = 6631, Level = LogLevel.Information, Message = "All questions in flight finished")]
    private static partial void LogDrained(ILogger logger);

    [LoggerMessage(EventId = 6632, Level = LogLevel.Warning, Message = "Drain timed out with {InFlight} questions still in flight")]
    private static partial void LogDrainTimedOut(ILogger logger, int inFlight);
}
