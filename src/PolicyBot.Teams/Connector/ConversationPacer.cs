using System.Collections.Concurrent;
using PolicyBot.Core.Operations;

namespace PolicyBot.Teams.Connector;

/// <summary>
/// Per-conversation send pacing below Teams' documented thread limits (7 ops / 1 s and 8 ops / 2 s), so a
/// multi-part answer does not trip 429s. Windows stretched by 25 % because the service counts arrivals, which
/// jitter relative to our send times.
/// </summary>
internal sealed class ConversationPacer(TimeProvider time)
{
    private static readonly (TimeSpan Window, int Limit)[] Limits = [(TimeSpan.FromMilliseconds(1250), 7), (TimeSpan.FromMilliseconds(2500), 8)];
    private readonly ConcurrentDictionary<string, SlidingWindowLimiter> _sends = new(StringComparer.Ordinal);

    public async Task WaitTurnAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (_sends.Count > 10_000)
        {
            Prune();
        }

        var limiter = _sends.GetOrAdd(conversationId, _ => new SlidingWindowLimiter(Limits));
        while (true)
        {
            var wait = limiter.TryAcquire(time.GetUtcNow());
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait + TimeSpan.FromMilliseconds(5), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets conversations with no send inside the longest window.</summary>
    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, limiter) in _sends)
        {
            if (limiter.IsIdle(now))
            {
                _sends.TryRemove(id, out _);
            }
        }
    }
}
