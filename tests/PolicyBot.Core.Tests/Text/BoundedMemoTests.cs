using PolicyBot.Core.Text;

namespace PolicyBot.Core.Tests.Text;

public sealed class BoundedMemoTests
{
    [Fact]
    public void Get_SameKeyTwice_ComputesOnceAndReturnsTheSameValue()
    {
        var calls = 0;
        var memo = new BoundedMemo<int>(s => { calls++; return s.Length; });
        Assert.Equal(5, memo.Get("Hello"));
        Assert.Equal(5, memo.Get("Hel" + "lo")); // an equal string, another instance
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Get_PastCapacityOrOverlongKey_StillComputesEveryTime()
    {
        var calls = 0;
        var memo = new BoundedMemo<string>(s => { calls++; return s.ToUpperInvariant(); }, capacity: 2, maxKeyLength: 8);
        Assert.Equal("A", memo.Get("a"));
        Assert.Equal("B", memo.Get("b"));
        Assert.Equal("C", memo.Get("c")); // full: computed, not kept
        Assert.Equal("C", memo.Get("c"));
        var huge = new string('x', 100_000);
        Assert.Equal(huge.ToUpperInvariant(), memo.Get(huge));
        Assert.Equal(huge.ToUpperInvariant(), memo.Get(huge));
        Assert.Equal(6, calls);
        Assert.Equal("A", memo.Get("a"));
        Assert.Equal(6, calls);
    }

    [Fact]
    public void Get_ManyThreads_EveryResultIsTheFunctionsResult()
    {
        var memo = new BoundedMemo<string>(s => new string(s.Reverse().ToArray()), capacity: 64);
        Parallel.For(0, 2000, i =>
        {
            var key = $"key {i % 200} 日本 🙂";
            Assert.Equal(new string(key.Reverse().ToArray()), memo.Get(key));
        });
    }

    [Fact]
    public void Get_NullKey_Throws()
    {
        var memo = new BoundedMemo<int>(s => s.Length);
        Assert.Throws<ArgumentNullException>(() => memo.Get(null!));
    }
}
