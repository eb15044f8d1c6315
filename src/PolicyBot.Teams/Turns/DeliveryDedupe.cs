using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns;

/// <summary>
/// Duplicate-delivery deduplication across replicas (TX-09): the Bot Framework redelivers an activity it thinks
/// was lost, possibly to another replica. Each activity is claimed in the shared store when its turn runs; only the
/// claimer answers. Claims are keyed by a hash of conversation id and activity id (no ids in the store, fixed length).
/// A store failure lets the turn run (a rare double answer beats silence).
/// </summary>
internal sealed class DeliveryDedupe(IDeliveryClaims claims, TimeProvider time, ILogger<DeliveryDedupe> logger)
{
    /// <summary>Redeliveries come within minutes; a day is far beyond the Bot Framework's retry window.</summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromDays(1);

    /// <summary>True when this process should handle <paramref name="activity"/> in <paramref name="scope"/>.</summary>
    public async Task<bool> TryClaimAsync(string scope, Activity activity, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(activity.Id))
        {
            return true; // nothing to dedupe on
        }

        try
        {
            return await claims.TryClaimAsync(scope, Key(activity), ClaimLifetime, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            TeamsLog.ClaimFailed(logger, ex);
            return true;
        }
    }

    private static string Key(Activity activity)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{activity.Conversation?.Id}|{activity.Id}")));
}

/// <summary>
/// Claims kept in this process only, for a Teams endpoint running without a state store (the latency bench):
/// the state project's store replaces it whenever one is registered.
/// </summary>
internal sealed class ProcessDeliveryClaims : IDeliveryClaims
{
    private readonly BoundedRecentMap<DateTimeOffset> _claims = new(50_000);

    public Task<bool> TryClaimAsync(string scope, string id, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = scope + "|" + id;
        if (_claims.TryGet(key, out var until) && until > now)
        {
            return Task.FromResult(false);
        }

        _claims.Remove(key);
        return Task.FromResult(_claims.TryAdd(key, now + lifetime));
    }
}
