using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.State;
using PolicyBot.Core.Text;

namespace PolicyBot.Host.Serve;

/// <summary>
/// Once per start, in the background: gives the audit records written before schema version 4 their main terms
/// (the coverage-gap key new records get when they are written), in batches, so the Coverage gaps page counts them
/// too. A store already filled costs one query.
/// </summary>
internal sealed partial class AuditTermsBackfillService(IBotStore store, IQuestionTerms terms, ILogger<AuditTermsBackfillService> logger) : BackgroundService
{
    public const int Batch = 2000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var total = 0;
        try
        {
            // Migrations ran in StartingAsync, before this starts.
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
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown: the rest is filled at the next start.
        }
        catch (Exception ex)
        {
            // The dashboard shows the records filled so far; the next start goes on.
            LogFailed(logger, total, ex);
        }
    }

    [LoggerMessage(EventId = 6410, Level = LogLevel.Information, Message = "Audit trail: computed the main terms of {Count} records written before schema version 4")]
    private static partial void LogFilled(ILogger logger, int count);

    [LoggerMessage(EventId = 6411, Level = LogLevel.Error, Message = "Audit trail: computing main terms stopped after {Count} records; the next start goes on")]
    private static partial void LogFailed(ILogger logger, int count, Exception exception);
}
