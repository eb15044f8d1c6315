using System.Collections.Concurrent;
using PolicyBot.Core.State;

namespace PolicyBot.Core.Operations;

/// <summary>Token buckets keyed by user or channel.</summary>
public interface IQuestionRateLimiter
{
    /// <summary>Takes one token from <paramref name="key"/>'s bucket; false when it is empty.</summary>
    ValueTask<bool> TryTakeAsync(string key, RateLimit limit, CancellationToken cancellationToken);
}

/// <summary>Buckets in this process's memory (timed by <see cref="TimeProvider.GetUtcNow"/>), bounded: when it holds too many keys, idle (full) buckets are dropped.</summary>
public sealed class InMemoryRateLimiter(TimeProvider time, int maxKeys = 100_000) : IQuestionRateLimiter
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public int Count => _buckets.Count;

    public ValueTask<bool> TryTakeAsync(string key, RateLimit limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var now = time.GetUtcNow().UtcTicks;
        if (_buckets.Count >= maxKeys && !_buckets.ContainsKey(key))
        {
            Evict(now, limit);
        }

        var bucket = _buckets.GetOrAdd(key, static (_, s) => new Bucket(s.limit.Capacity, s.now), (limit, now));
        return ValueTask.FromResult(bucket.TryTake(limit, now));
    }

    private void Evict(long now, RateLimit limit)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsFull(limit, now))
            {
                _buckets.TryRemove(key, out _);
            }
        }

        // Still too many (a flood of distinct keys): drop half, oldest refill first, rather than grow without bound.
        if (_buckets.Count >= maxKeys)
        {
            foreach (var key in _buckets.OrderBy(kv => kv.Value.Stamp).Take(_buckets.Count / 2).Select(kv => kv.Key).ToList())
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        private readonly Lock _gate = new();

        public long Stamp { get; private set; } = stamp;

        private double _tokens = tokens;

        public bool TryTake(RateLimit limit, long now)
        {
            lock (_gate)
            {
                Refill(limit, now);
                if (_tokens < 1 - 1e-9)
                {
                    return false;
                }

                _tokens -= 1;
                return true;
            }
        }

        public bool IsFull(RateLimit limit, long now)
        {
            lock (_gate)
            {
                Refill(limit, now);
                return _tokens >= limit.Capacity;
            }
        }

        private void Refill(RateLimit limit, long now)
        {
            var elapsed = TimeSpan.FromTicks(now - Stamp);
            if (elapsed > TimeSpan.Zero)
            {
                _tokens = Math.Min(limit.Capacity, _tokens + (elapsed.TotalSeconds * limit.RefillPerSecond));
                Stamp = now;
            }
        }
    }
}

/// <summary>Buckets in the state store, shared by every process that uses the same PostgreSQL (or SQLite file).</summary>
public sealed class StoreRateLimiter(IBotStore store, TimeProvider time) : IQuestionRateLimiter
{
    public async ValueTask<bool> TryTakeAsync(string key, RateLimit limit, CancellationToken cancellationToken) =>
        await store.TryTakeTokenAsync(key, limit.Capacity, limit.RefillPerSecond, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
}
