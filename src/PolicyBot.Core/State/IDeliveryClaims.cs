namespace PolicyBot.Core.State;

/// <summary>
/// Atomic first-claimer-wins claims with expiry: Teams duplicate-delivery deduplication across replicas. On
/// PostgreSQL every process shares the claims; on SQLite every process on the same state file does.
/// </summary>
public interface IDeliveryClaims
{
    /// <summary>
    /// Claims <paramref name="id"/> in <paramref name="scope"/> for <paramref name="lifetime"/> from <paramref name="now"/>.
    /// True for exactly one caller among any number racing for the same unexpired id; false for the others until the
    /// claim expires, after which the next caller wins it again.
    /// </summary>
    Task<bool> TryClaimAsync(string scope, string id, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken);
}
