using PolicyBot.Core.Text;

namespace PolicyBot.Core.Tests.Text;

public class SentenceSplitterTests
{
    private static string[] Sentences(string text) => SentenceSplitter.Split(text).Select(s => text.Substring(s.Start, s.Length)).ToArray();

    [Fact]
    public void Split_Prose_SplitsAtTerminalPunctuation()
    {
        Assert.Equal(["Shanghai leads.", "Hong Kong follows!", "Why?"], Sentences("Shanghai leads. Hong Kong follows! Why?"));
    }

    [Fact]
    public void Split_AbbreviationsInitialsAndDecimals_DoNotEndSentences()
    {
        Assert.Equal(
            ["The U.S. and e.g. Japan grew 3.5 per cent under J. Smith.", "Next one."],
            Sentences("The U.S. and e.g. Japan grew 3.5 per cent under J. Smith. Next one."));
    }

    [Fact]
    public void Split_ListItems_EachIsASentenceWithoutBullet()
    {
        Assert.Equal(["Signals to watch:", "IPO pipeline", "EU AI Act guidance"], Sentences("Signals to watch:\n- IPO pipeline\n- EU AI Act guidance"));
    }

    [Fact]
    public void Split_Cjk_SplitsAtIdeographicFullStop()
    {
        Assert.Equal(["人工智能很重要。", "香港。"], Sentences("人工智能很重要。香港。"));
    }

    [Fact]
    public void Split_WrappedParagraph_LineBreakInsideSentenceIsKept()
    {
        Assert.Equal(["A sentence that wraps\nonto the next line.", "Second."], Sentences("A sentence that wraps\nonto the next line. Second."));
    }

    [Fact]
    public void Split_SpansAreExactSubstrings()
    {
        const string text = "  First one.   Second one?\n\n- Third  ";
        foreach (var (start, length) in SentenceSplitter.Split(text))
        {
            Assert.False(char.IsWhiteSpace(text[start]));
            Assert.False(char.IsWhiteSpace(text[start + length - 1]));
        }
    }
}
