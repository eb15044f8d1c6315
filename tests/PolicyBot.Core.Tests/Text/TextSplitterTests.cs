using System.Text;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Tests.Text;

public sealed class TextSplitterTests
{
    [Fact]
    public void Split_ShortText_OneChunk()
        => Assert.Equal(["short"], TextSplitter.Split("short", 2000));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2024)]
    public void Split_RandomText_ChunksWithinLimitAndConcatenateExactly(int seed)
    {
        var random = new Random(seed);
        var words = new[] { "policy", "AI", "risk.", "high-risk", "[1]", "obligation", "\n\n", "\n", "**bold**", "規則。", "🤖", "e.g.", "Article 9" };
        var builder = new StringBuilder();
        while (builder.Length < 9000)
        {
            builder.Append(words[random.Next(words.Length)]).Append(' ');
        }

        var text = builder.ToString();
        var chunks = TextSplitter.Split(text, 2000);
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 2000));
        Assert.Equal(text, string.Concat(chunks));
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.False(char.IsHighSurrogate(c[^1]), $"seed {seed}: chunk ends inside a surrogate pair"));
    }

    [Fact]
    public void Split_PrefersParagraphBoundaries()
    {
        var paragraph = new string('a', 1200) + "\n\n";
        var chunks = TextSplitter.Split(paragraph + paragraph + paragraph, 2000);
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.EndsWith("\n\n", c, StringComparison.Ordinal));
    }

    [Fact]
    public void Split_SentenceBoundaryWhenNoParagraphs()
    {
        var text = string.Concat(Enumerable.Repeat("This sentence is about twenty words long and ends properly here. ", 60));
        var chunks = TextSplitter.Split(text, 2000);
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.EndsWith(". ", c, StringComparison.Ordinal));
    }

    [Fact]
    public void Split_OpenCodeFence_ClosedAndReopened()
    {
        var text = "Intro\n```\n" + string.Join("\n", Enumerable.Range(0, 400).Select(i => $"line {i} of code")) + "\n```\nAfter.";
        var chunks = TextSplitter.Split(text, 2000);
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c =>
        {
            Assert.InRange(c.Length, 1, 2000);
            Assert.Equal(0, CountFences(c) % 2);
        });
        Assert.StartsWith("```\n", chunks[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Split_NoSpaces_HardCutNeverSplitsSurrogates()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 3000));
        var chunks = TextSplitter.Split(text, 2000);
        Assert.Equal(text, string.Concat(chunks));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c[^1])));
    }

    [Fact]
    public void Split_HardCut_KeepsCitationMarkerWhole()
    {
        var hard = TextSplitter.Split(new string('x', 37) + "[12]" + new string('y', 30), 40);
        Assert.Equal(new string('x', 37), hard[0]);
        Assert.StartsWith("[12]", hard[1], StringComparison.Ordinal);
    }

    [Fact]
    public void SplitTrimmed_WordsAndMarkers_PartsWithinLimitJoinBack()
    {
        var text = string.Join(' ', Enumerable.Range(1, 50).Select(i => $"Word{i} [{(i % 9) + 1}]"));
        var parts = TextSplitter.SplitTrimmed(text, 40);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 40));
        Assert.Equal(text, string.Join(' ', parts));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n  ")]
    public void SplitTrimmed_Blank_OneEmptyPart(string text)
        => Assert.Equal([""], TextSplitter.SplitTrimmed(text, 40));

    [Fact]
    public void Split_MaxBelowSixteen_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => TextSplitter.Split("anything", 15));

    private static int CountFences(string text)
    {
        var count = 0;
        for (var i = text.IndexOf("```", StringComparison.Ordinal); i >= 0; i = text.IndexOf("```", i + 3, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
