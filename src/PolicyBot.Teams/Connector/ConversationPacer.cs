using System.Collections.Concurrent;

namespace PolicyBot.Teams.Connector;

/// <summary>
/// Per-conversation send pacing below Teams' documented thread limits (7 ops / 1 s and 8 ops / 2 s), so a
/// multi-part answer does not trip 429s. Sliding windows over recent send times.
/// </summary>
internal sealed class ConversationPacer(TimeProvider time)
{
    private static readonly (TimeSpan Window, int Limit)[] Limits = [(TimeSpan.FromSeconds(1), 7), (TimeSpan.FromSeconds(2), 8)];
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _sends = new(StringComparer.Ordinal);

    public async Task WaitTurnAsync(string conversationId, CancellationToken cancellationToken)
    {
        var history = _sends.GetOrAdd(conversationId, _ => new Queue<DateTimeOffset>());
        while (true)
        {
            TimeSpan wait;
            lock (history)
            {
                var now = time.GetUtcNow();
                while (history.Count > 0 && now - history.Peek() >= TimeSpan.FromSeconds(2))
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
}
