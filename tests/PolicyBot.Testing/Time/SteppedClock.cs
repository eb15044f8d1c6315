using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace PolicyBot.Testing.Time;

/// <summary>A timer the code under test created on a <see cref="SteppedClock"/>: its creation order, due time and the virtual time it was created at.</summary>
public sealed record CreatedTimer(int Index, TimeSpan Due, DateTimeOffset At);

/// <summary>
/// Virtual time for the timing scenarios: a <see cref="FakeTimeProvider"/> (Microsoft.Extensions.TimeProvider.Testing)
/// that only the test moves, plus what FakeTimeProvider does not show: the timers the code under test creates
/// (<c>Task.Delay(d, clock)</c> creates one with due time <c>d</c>). A test waits until the bot is really waiting on
/// the timer it expects, then advances exactly that far — so measured durations are the code's own, whatever the
/// load on the machine; sockets and frames stay real.
/// </summary>
public sealed class SteppedClock : TimeProvider
{
    private readonly ConcurrentQueue<CreatedTimer> _timers = new();
    private readonly SemaphoreSlim _created = new(0);
    private int _count;

    public SteppedClock(DateTimeOffset? start = null)
    {
        Fake = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    public FakeTimeProvider Fake { get; }

    /// <summary>Every timer created so far, in creation order.</summary>
    public IReadOnlyList<CreatedTimer> Timers => [.. _timers];

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timers.Enqueue(new CreatedTimer(Interlocked.Increment(ref _count) - 1, dueTime, Fake.GetUtcNow()));
        _created.Release();
        return timer;
    }

    /// <summary>Moves virtual time forward; due timers fire.</summary>
    public void Advance(TimeSpan by) => Fake.Advance(by);

    /// <summary>
    /// The first timer created after <paramref name="afterIndex"/> that <paramref name="match"/> accepts, once the code
    /// under test has created it (waits in real time; <paramref name="timeout"/> only guards against a hang).
    /// </summary>
    public async Task<CreatedTimer> WaitForTimerAsync(Func<CreatedTimer, bool> match, int afterIndex = -1, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_timers.FirstOrDefault(t => t.Index > afterIndex && match(t)) is { } found)
            {
                return found;
            }

            try
            {
                await _created.WaitAsync(TimeSpan.FromMilliseconds(100), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching timer was created; timers so far: {string.Join(", ", _timers.Select(t => $"#{t.Index} {t.Due}"))}");
            }
        }
    }

    /// <summary>The index of the last timer created so far (-1 before any).</summary>
    public int LastIndex => Volatile.Read(ref _count) - 1;
}
