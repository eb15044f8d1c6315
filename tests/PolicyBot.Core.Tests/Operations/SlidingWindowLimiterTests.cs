using PolicyBot.Core.Operations;

namespace PolicyBot.Core.Tests.Operations;

public sealed class SlidingWindowLimiterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryAcquire_UpToLimit_ThenWaitsUntilOldestLeaves()
    {
        var limiter = new SlidingWindowLimiter((TimeSpan.FromSeconds(1), 3));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0.AddMilliseconds(i * 100)));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(700), limiter.TryAcquire(T0.AddMilliseconds(300)));
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0.AddMilliseconds(1000)));
    }

    [Fact]
    public void TryAcquire_TwoWindows_TheStricterWins()
    {
        // Teams' thread limits: 7 per 1 s and 8 per 2 s.
        var limiter = new SlidingWindowLimiter((TimeSpan.FromSeconds(1), 7), (TimeSpan.FromSeconds(2), 8));
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0));
        }

        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0.AddSeconds(1)));
        var wait = limiter.TryAcquire(T0.AddSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), wait); // the 2 s window is full until the first sends leave it
    }

    [Fact]
    public void TryAcquire_Reserve_KeepsSlotsForPrioritySends()
    {
        var limiter = new SlidingWindowLimiter((TimeSpan.FromSeconds(60), 5));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0, reserve: 2));
        }

        Assert.True(limiter.TryAcquire(T0, reserve: 2) > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0)); // a heartbeat still goes
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(T0));
        Assert.True(limiter.TryAcquire(T0) > TimeSpan.Zero);
    }

    [Fact]
    public void IsIdle_AfterLongestWindow()
    {
        var limiter = new SlidingWindowLimiter((TimeSpan.FromSeconds(1), 2), (TimeSpan.FromSeconds(3), 4));
        Assert.True(limiter.IsIdle(T0));
        limiter.TryAcquire(T0);
        Assert.False(limiter.IsIdle(T0.AddSeconds(2)));
        Assert.True(limiter.IsIdle(T0.AddSeconds(3)));
    }
}
