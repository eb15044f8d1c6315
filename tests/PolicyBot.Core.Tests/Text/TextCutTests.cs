using PolicyBot.Core.Text;

namespace PolicyBot.Core.Tests.Text;

public sealed class TextCutTests
{
    [Fact]
    public void Truncate_Short_TrimmedUnchanged()
        => Assert.Equal("short text", TextCut.Truncate("  short text ", 80));

    [Fact]
    public void Truncate_Long_CutsAtWordBoundaryWithEllipsis()
    {
        var cut = TextCut.Truncate("The EU AI Act sets obligations for providers of high-risk systems", 30);
        Assert.Equal("The EU AI Act sets…", cut);
        Assert.True(cut.Length <= 30);
    }

    [Fact]
    public void Truncate_NoSpaces_HardCutAtLimit()
        => Assert.Equal(80, TextCut.Truncate(new string('a', 200), 80).Length);

    [Fact]
    public void Truncate_NeverSplitsSurrogatePair()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 50));
        for (var max = 4; max < 40; max++)
        {
            var cut = TextCut.Truncate(text, max);
            Assert.True(cut.Length <= max, $"max {max}");
            Assert.False(char.IsHighSurrogate(cut[^2]), $"max {max}");
        }
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(-3, "")]
    [InlineData(2, "…")]
    public void Truncate_TinyLimits(int max, string expected)
        => Assert.Equal(expected, TextCut.Truncate("a long enough text", max));

    [Fact]
    public void Clip_HardCutWithoutEllipsis_KeepsSurrogatesWhole()
    {
        Assert.Equal("abc", TextCut.Clip("abcdef", 3));
        Assert.Equal("ab", TextCut.Clip("ab😀", 3));
        Assert.Equal("", TextCut.Clip("abc", 0));
        Assert.Equal("abc", TextCut.Clip("abc", 10));
    }
}
