using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Gateway;

/// <summary>
/// Budgets Identify calls for every shard in the process (discord.md §8): waits for <c>reset_after</c> when
/// <c>session_start_limit.remaining</c> is 0, and allows at most one Identify per rate-limit key
/// (<c>shard_id % max_concurrency</c>) per 5 seconds.
/// </summary>
internal sealed class IdentifyGate
{
    // 5 s per rate-limit key, plus a margin so network jitter cannot make two identifies look closer on Discord's side.
    private static readonly TimeSpan ConcurrencyWindow = TimeSpan.FromSeconds(5.25);
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<int, DateTimeOffset> _nextAllowedByKey = [];
    private readonly int _maxConcurrency;
    private readonly int _total;
    private int _remaining;
    private DateTimeOffset _resetAt;

    public IdentifyGate(SessionStartLimit limit, TimeProvider time)
    {
        _time = time;
        _maxConcurrency = Math.Max(1, limit.MaxConcurrency);
        _total = limit.Total;
        _remaining = limit.Remaining;
        _resetAt = time.GetUtcNow() + TimeSpan.FromMilliseconds(limit.ResetAfter);
    }

    /// <summary>Identifies left in the current window (as far as this process knows).</summary>
    public int Remaining => _remaining;

    /// <summary>
    /// Waits until <paramref name="shardId"/> may identify and holds the gate; dispose the lease once the Identify
    /// is on the wire, so the 5-second window is measured from the send, not from the decision.
    /// </summary>
    public async Task<IDisposable> AcquireAsync(int shardId, CancellationToken cancellationToken)
    {
        var key = shardId % _maxConcurrency;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (now >= _resetAt && _remaining <= 0)
            {
                _remaining = _total;
                _resetAt = now + TimeSpan.FromDays(1);
            }

            if (_remaining <= 0)
            {
                await Task.Delay(_resetAt - now, _time, cancellationToken).ConfigureAwait(false);
                _remaining = _total;
                now = _time.GetUtcNow();
                _resetAt = now + TimeSpan.FromDays(1);
            }

            if (_nextAllowedByKey.TryGetValue(key, out var next) && next > now)
            {
                await Task.Delay(next - now, _time, cancellationToken).ConfigureAwait(false);
            }

            _remaining--;
            return new Lease(this, key);
        }
        catch
        {
            _lock.Release();
            throw;
        }
    }

    private sealed class Lease(IdentifyGate gate, int key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate._nextAllowedByKey[key] = gate._time.GetUtcNow() + ConcurrencyWindow;
                gate._lock.Release();
            }
        }
    }
}
