using PolicyBot.Core.Operations;

namespace PolicyBot.Core.Tests.Operations;

public sealed class BoundedRecentMapTests
{
    [Fact]
    public void TryAdd_Duplicate_FalseAndKeepsFirstValue()
    {
        var map = new BoundedRecentMap<string>(3);
        Assert.True(map.TryAdd("a", "1"));
        Assert.False(map.TryAdd("a", "2"));
        Assert.True(map.TryGet("a", out var value));
        Assert.Equal("1", value);
    }

    [Fact]
    public void TryAdd_PastCapacity_EvictsOldestFirst()
    {
        var map = new BoundedRecentMap<int>(3);
        foreach (var (key, i) in new[] { "a", "b", "c", "d" }.Select((k, i) => (k, i)))
        {
            map.TryAdd(key, i);
        }

        Assert.False(map.TryGet("a", out _));
        Assert.True(map.TryGet("b", out _));
        Assert.True(map.TryGet("d", out _));
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void ReAddAfterRemove_GetsFreshPlace_NotEvictedByStaleOne()
    {
        // The bug both old copies shared: Remove left the key in the eviction queue, so after a re-add the stale
        // entry evicted the fresh one at the next insertion past capacity (and stale entries ate capacity).
        var map = new BoundedRecentMap<int>(3);
        map.TryAdd("a", 1);
        map.TryAdd("b", 2);
        map.TryAdd("c", 3);
        Assert.True(map.Remove("a"));
        Assert.True(map.TryAdd("a", 4)); // now the newest
        map.TryAdd("d", 5);              // evicts the oldest: b
        Assert.True(map.TryGet("a", out var a));
        Assert.Equal(4, a);
        Assert.False(map.TryGet("b", out _));
        Assert.True(map.TryGet("c", out _));
        Assert.True(map.TryGet("d", out _));
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void RemoveMany_ThenFill_CapacityStaysTheLimit()
    {
        var map = new BoundedRecentMap<int>(2);
        for (var i = 0; i < 100; i++)
        {
            map.TryAdd("k", i);
            map.Remove("k");
        }

        map.TryAdd("x", 1);
        map.TryAdd("y", 2);
        Assert.True(map.TryGet("x", out _));
        Assert.True(map.TryGet("y", out _));
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void Set_ExistingKey_ReplacesValueKeepsPlace()
    {
        var map = new BoundedRecentMap<string>(2);
        map.Set("a", "1");
        map.Set("b", "2");
        map.Set("a", "3");
        map.Set("c", "4"); // evicts a (oldest insertion), not b
        Assert.False(map.TryGet("a", out _));
        Assert.True(map.TryGet("b", out _));
        Assert.False(map.Remove("a"));
    }

    [Fact]
    public async Task ConcurrentWriters_CountNeverExceedsCapacity()
    {
        var map = new BoundedRecentMap<int>(100);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var key = $"{t}:{i}";
                map.TryAdd(key, i);
                if (i % 3 == 0)
                {
                    map.Remove(key);
                }
            }
        })));
        Assert.InRange(map.Count, 1, 100);
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedRecentMap<int>(0));
}
