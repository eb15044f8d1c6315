using System.Collections.Concurrent;

namespace PolicyBot.Teams.Connector;

/// <summary>
/// Per-conversation send pacing below Teams' documented thread limits (7 ops / 1 s and 8 ops / 2 s), so a
/// multi-part answer does not trip 429s. Sliding windows over recent send times, stretched by 25 % because the
/// service counts arrivals, which jitter relative to our send times.
/// </summary>
internal sealed class ConversationPacer(TimeProvider time)
{
    private static readonly (TimeSpan Window, int Limit)[] Limits = [(TimeSpan.FromMilliseconds(1250), 7), (TimeSpan.FromMilliseconds(2500), 8)];
    private static readonly TimeSpan LongestWindow = TimeSpan.FromMilliseconds(2500);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _sends = new(StringComparer.Ordinal);

    public async Task WaitTurnAsync(string conversationId, CancellationToken cancellationToken)
    {
        if (_sends.Count > 10_000)
        {
            Prune();
        }

        var history = _sends.GetOrAdd(conversationId, _ => new Queue<DateTimeOffset>());
        while (true)
        {
            TimeSpan wait;
            lock (history)
            {
                var now = time.GetUtcNow();
                while (history.Count > 0 && now - history.Peek() >= LongestWindow)
                {
                    history.Dequeue();
                }

                wait = TimeSpan.Zero;
                var times = history.ToArray();
                foreach (var (window, limit) in Limits)
                {
                    var inWindow = times.Where(t => now - t < window).ToArray();
                    if (inWindow.Length >= limit)
                    {
                        // The oldest send that keeps us at the limit must leave the window.
                        var leaving = inWindow[inWindow.Length - limit];
                        var candidate = leaving + window - now;
                        if (candidate > wait)
                        {
                            wait = candidate;
                        }
                    }
                }

                if (wait <= TimeSpan.Zero)
                {
                    history.Enqueue(now);
                    return;
                }
            }

            await Task.Delay(wait + TimeSpan.FromMilliseconds(5), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets conversations with no send inside the longest window.</summary>
    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, history) in _sends)
        {
            lock (history)
            {
                if (history.Count == 0 || now - history.Last() >= LongestWindow)
                {
                    _sends.TryRemove(id, out _);
                }
            }
        }
    }
}
