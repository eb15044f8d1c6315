using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.State;
using PolicyBot.Core.Text;

namespace PolicyBot.Host.Serve;

/// <summary>
/// Gives audit records that have no main terms — written before schema version 5, or by an older process still
/// writing to a shared PostgreSQL store during a rolling upgrade — the coverage-gap key new records get when they are
/// written, in batches: at start, then every <see cref="Interval"/>. A store already filled costs one query a round.
/// </summary>
internal sealed partial class AuditTermsBackfillService(IBotStore store, IQuestionTerms terms, TimeProvider time, ILogger<AuditTermsBackfillService> logger) : BackgroundService
{
    public const int Batch = 2000;

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                // Migrations ran in StartingAsync, before this starts.
                var total = 0;
                try
                {
                    int filled;
                    while ((filled = await store.FillMainTermsAsync(terms, Batch, stoppingToken).ConfigureAwait(false)) > 0)
                    {
                        total += filled;
                    }

                    if (total > 0)
                    {
                        LogFilled(logger, total);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The Coverage gaps page counts the records filled so far; the next round goes on.
                    LogFailed(logger, total, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown: the rest is filled at the next start.
        }
    }

    [LoggerMessage(EventId = 6410, Level = LogLevel.Information, Message = "Audit trail: computed the main terms of {Count} records that had none (written before schema version 5)")]
    private static partial void LogFilled(ILogger logger, int count);

    [LoggerMessage(EventId = 6411, Level = LogLevel.Error, Message = "Audit trail: computing main terms stopped after {Count} records; retrying at the next round")]
    private static partial void LogFailed(ILogger logger, int count, Exception exception);
}
