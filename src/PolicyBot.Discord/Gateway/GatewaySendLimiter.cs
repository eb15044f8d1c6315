using PolicyBot.Core.Operations;

namespace PolicyBot.Discord.Gateway;

/// <summary>
/// Per-connection send budget (discord.md §3): at most 120 events per 60 s, of which a few are kept for
/// heartbeats, plus per-opcode holds announced by RATE_LIMITED dispatches.
/// </summary>
internal sealed class GatewaySendLimiter(TimeProvider time)
{
    public const int Limit = 120;
    public const int HeartbeatReserve = 5;
    // 60 s plus a margin: the gateway counts arrivals, and a send can arrive a little later than it was decided.
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(61);

    private readonly SlidingWindowLimiter _window = new((Window, Limit));
    private readonly Dictionary<int, DateTimeOffset> _heldUntil = [];
    private readonly Lock _gate = new();

    /// <summary>Records a RATE_LIMITED dispatch: the opcode may not be sent again before <paramref name="retryAfter"/>.</summary>
    public void Hold(int opcode, TimeSpan retryAfter)
    {
        lock (_gate)
        {
            _heldUntil[opcode] = time.GetUtcNow() + retryAfter;
        }
    }

    /// <summary>Waits until <paramref name="opcode"/> may be sent, then counts it. Callers hold the send lock.</summary>
    public async Task WaitAsync(int opcode, bool isHeartbeat, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            var now = time.GetUtcNow();
            lock (_gate)
            {
                wait = _heldUntil.TryGetValue(opcode, out var until) && until > now ? until - now : TimeSpan.Zero;
            }

            if (wait <= TimeSpan.Zero)
            {
                wait = _window.TryAcquire(now, isHeartbeat ? 0 : HeartbeatReserve);
                if (wait <= TimeSpan.Zero)
                {
                    return;
                }
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
