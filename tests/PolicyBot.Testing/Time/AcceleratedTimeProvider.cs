using System.Diagnostics;

namespace PolicyBot.Testing.Time;

/// <summary>
/// A clock that runs <c>factor</c> times faster than real time: timers fire early by the same factor and
/// <see cref="GetUtcNow"/>/<see cref="GetTimestamp"/> report virtual time, so a 45 s heartbeat or a 5 s identify
/// window takes milliseconds while the code under test still sees the real durations. Shared by the fake Discord
/// and the bot so both sides measure in the same virtual time.
/// </summary>
public sealed class AcceleratedTimeProvider(double factor) : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    public double Factor { get; } = factor;

    public override DateTimeOffset GetUtcNow() => _start + (Stopwatch.GetElapsedTime(_startTimestamp) * Factor);

    public override long GetTimestamp() => (long)((Stopwatch.GetTimestamp() - _startTimestamp) * Factor);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    /// <summary>Real time corresponding to a virtual duration.</summary>
    public TimeSpan Scale(TimeSpan virtualTime)
        => virtualTime == Timeout.InfiniteTimeSpan || virtualTime <= TimeSpan.Zero ? virtualTime : virtualTime / Factor;

    private sealed class ScaledTimer(ITimer inner, AcceleratedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
