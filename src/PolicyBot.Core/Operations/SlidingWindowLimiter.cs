namespace PolicyBot.Core.Operations;

/// <summary>
/// Sliding-window send pacing: a log of recent send times checked against one or more (window, limit) pairs,
/// as the platforms state their limits (Discord gateway 120 / 60 s, Teams 7 / 1 s and 8 / 2 s per thread).
/// Hand-written rather than System.Threading.RateLimiting's SlidingWindowRateLimiter: that one counts in fixed
/// segments (a burst at a segment edge can pass twice the limit within one window) and cannot combine several
/// windows or keep a reserve for priority sends, and both platforms count exact arrivals.
/// </summary>
public sealed class SlidingWindowLimiter
{
    private readonly (TimeSpan Window, int Limit)[] _limits;
    private readonly TimeSpan _longest;
    private readonly Queue<DateTimeOffset> _sent = new();
    private readonly Lock _gate = new();

    public SlidingWindowLimiter(params (TimeSpan Window, int Limit)[] limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfZero(limits.Length);
        _limits = limits;
        _longest = limits.Max(l => l.Window);
    }

    /// <summary>
    /// Counts a send at <paramref name="now"/> and returns zero when every window has room (keeping
    /// <paramref name="reserve"/> slots of each free for others); otherwise counts nothing and returns how long to wait.
    /// </summary>
    public TimeSpan TryAcquire(DateTimeOffset now, int reserve = 0)
    {
        lock (_gate)
        {
            while (_sent.Count > 0 && now - _sent.Peek() >= _longest)
            {
                _sent.Dequeue();
            }

            var wait = TimeSpan.Zero;
            var times = _sent.ToArray();
            foreach (var (window, limit) in _limits)
            {
                var budget = Math.Max(1, limit - reserve);
                var inWindow = times.Where(t => now - t < window).ToArray();
                if (inWindow.Length >= budget)
                {
                    // The oldest send that keeps us at the budget must leave the window.
                    var candidate = inWindow[inWindow.Length - budget] + window - now;
                    if (candidate > wait)
                    {
                        wait = candidate;
                    }
                }
            }

            if (wait <= TimeSpan.Zero)
            {
                _sent.Enqueue(now);
                return TimeSpan.Zero;
            }

            return wait;
        }
    }

    /// <summary>True when no send is inside the longest window (the limiter can be forgotten).</summary>
    public bool IsIdle(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _sent.Count == 0 || now - _sent.Last() >= _longest;
        }
    }
}
