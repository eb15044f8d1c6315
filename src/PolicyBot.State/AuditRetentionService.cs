using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.State;

namespace PolicyBot.State;

/// <summary>Prunes audit records older than <see cref="AuditOptions.Retention"/>: at start, then every <see cref="AuditOptions.PruneInterval"/>.</summary>
public sealed partial class AuditRetentionService(
    IBotStore store,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    ILogger<AuditRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.Retention;
        if (retention == TimeSpan.Zero)
        {
            LogKeptForever(logger);
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PruneInterval, timeProvider);
        try
        {
            do
            {
                var cutoff = timeProvider.GetUtcNow() - retention;
                try
                {
                    var removed = await store.PruneAsync(cutoff, stoppingToken).ConfigureAwait(false);
                    LogPruned(logger, removed, cutoff);
                    if (removed > 0)
                    {
                        // A big delete leaves dead rows and stale statistics behind.
                        await store.OptimizeAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed prune (database briefly down) is retried at the next tick; the service keeps running.
                    LogPruneFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    [LoggerMessage(EventId = 6400, Level = LogLevel.Information, Message = "Audit retention: removed {Count} records older than {Cutoff:u}")]
    private static partial void LogPruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 6401, Level = LogLevel.Error, Message = "Audit retention: pruning failed; retrying at the next interval")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6402, Level = LogLevel.Information, Message = "Audit retention: 0 days, audit records are kept forever")]
    private static partial void LogKeptForever(ILogger logger);
}
