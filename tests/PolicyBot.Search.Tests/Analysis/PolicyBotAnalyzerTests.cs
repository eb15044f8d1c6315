using System.Text;
using Lucene.Net.Analysis.TokenAttributes;
using PolicyBot.Search.Analysis;
using Xunit.Abstractions;

namespace PolicyBot.Search.Tests.Analysis;

/// <summary>The Lucene chain itself: tokens, offsets and positions, as Lucene's BaseTokenStreamTestCase checks them.</summary>
public sealed class PolicyBotAnalyzerTests(ITestOutputHelper output)
{
    private static List<(string Term, int Start, int End, int Increment)> Tokens(bool stem, string text)
    {
        using var analyzer = new PolicyBotAnalyzer(stem);
        using var stream = analyzer.GetTokenStream("body", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        var result = new List<(string, int, int, int)>();
        while (stream.IncrementToken())
        {
            result.Add((term.ToString(), offset.StartOffset, offset.EndOffset, increment.PositionIncrement));
        }

        stream.End();
        return result;
    }

    [Fact]
    public void Analyze_EnglishSentence_TermsOffsetsAndPositions()
    {
        const string text = "Hong Kong's judges apply the common law.";
        var tokens = Tokens(stem: true, text);
        Assert.Equal(["hong", "kong", "judg", "appli", "the", "common", "law"], tokens.Select(t => t.Term));
        Assert.Equal([0, 5, 12, 19, 25, 29, 36], tokens.Select(t => t.Start));
        Assert.Equal([4, 9, 18, 24, 28, 35, 39], tokens.Select(t => t.End)); // "Kong", without its possessive 's
        Assert.All(tokens, t => Assert.Equal(1, t.Increment)); // stop words stay in the stream at index time
    }

    [Theory]
    [InlineData("Mach 3.5 flow", new[] { "mach", "3", "5", "flow" }, new[] { 0, 5, 7, 9 })]
    [InlineData("x.yz co.uk", new[] { "x", "yz", "co", "uk" }, new[] { 0, 2, 5, 8 })]
    [InlineData("1,100 firms", new[] { "1", "100", "firms" }, new[] { 0, 2, 6 })]
    [InlineData("foo_bar baz", new[] { "foo", "bar", "baz" }, new[] { 0, 4, 8 })]
    [InlineData("don't O'Neil's", new[] { "don", "t", "o", "neil" }, new[] { 0, 4, 6, 8 })]
    [InlineData("iPhone B747 co-host", new[] { "iphone", "b747", "co", "host" }, new[] { 0, 7, 12, 15 })]
    public void Analyze_PunctuationInsideAToken_SplitsIntoLetterAndDigitParts(string text, string[] terms, int[] starts)
    {
        // A word is a run of letters and digits (the project's rule since its first analyzer): "3.5" and "U.S."
        // match a question's "3 5" and "US" parts; offsets stay exact for citations, one position per part.
        var tokens = Tokens(stem: false, text);
        Assert.Equal(terms, tokens.Select(t => t.Term));
        Assert.Equal(starts, tokens.Select(t => t.Start));
        Assert.All(tokens, t => Assert.Equal(t.Term, text[t.Start..t.End].ToLowerInvariant()));
        Assert.All(tokens, t => Assert.Equal(1, t.Increment));
    }

    [Theory]
    [InlineData("the U.S. rules", new[] { "the", "us", "rules" }, new[] { 0, 4, 9 }, new[] { 3, 7, 14 })]
    [InlineData("e.g. the P.R.C.", new[] { "eg", "the", "prc" }, new[] { 0, 5, 9 }, new[] { 3, 8, 14 })]
    [InlineData("U.S.-China a.b.cd", new[] { "us", "china", "a", "b", "cd" }, new[] { 0, 5, 11, 13, 15 }, new[] { 3, 10, 12, 14, 17 })]
    public void Analyze_AcronymWithDots_IsOneWordSpanningTheWrittenAcronym(string text, string[] terms, int[] starts, int[] ends)
    {
        // "U.S." meets a question's "US" and the synonyms' "U.S.", as Lucene's ClassicFilter joins acronyms; only single letters joined by dots.
        var tokens = Tokens(stem: false, text);
        Assert.Equal(terms, tokens.Select(t => t.Term));
        Assert.Equal(starts, tokens.Select(t => t.Start));
        Assert.Equal(ends, tokens.Select(t => t.End));
    }

    [Fact]
    public void Analyze_SurfaceChain_SameTokensUnstemmed()
    {
        const string text = "Organisations' Policies, naïve Zürich";
        var stemmed = Tokens(stem: true, text);
        var surface = Tokens(stem: false, text);
        Assert.Equal(["organisations", "policies", "naive", "zurich"], surface.Select(t => t.Term));
        Assert.Equal(stemmed.Select(t => (t.Start, t.End)), surface.Select(t => (t.Start, t.End)));
    }

    [Fact]
    public void Analyze_HanAndHiragana_EachCharacterIsAToken()
    {
        const string text = "人工智能とAI治理";
        var tokens = Tokens(stem: true, text);
        Assert.Equal(["人", "工", "智", "能", "と", "ai", "治", "理"], tokens.Select(t => t.Term));
        Assert.All(tokens, t => Assert.Equal(t.Term, text[t.Start..t.End].ToLowerInvariant()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n ")]
    [InlineData("*** \" -- () 🙂🙂 \u0000\u0007\u001b[31m")]
    [InlineData("\uD800 lone high surrogate and \uDC00 lone low")]
    [InlineData("'; DROP TABLE passages; -- NEAR(\"a\" AND -b*)")]
    [InlineData("مرحبا بالعالم עולם")]
    public void Analyze_HostileInput_NeverThrowsAndOffsetsStayInTheText(string text)
    {
        var tokens = Tokens(stem: true, text);
        AssertWellFormed(text, tokens);
    }

    [Fact]
    public void Analyze_RandomUnicode_OffsetsAlwaysCoverTheWrittenWord()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var sb = new StringBuilder();
            var length = random.Next(0, 400);
            for (var i = 0; i < length; i++)
            {
                sb.Append(random.Next(10) switch
                {
                    < 4 => (char)random.Next('a', 'z' + 1),
                    4 => ' ',
                    5 => (char)random.Next(0x4E00, 0x9FFF),
                    6 => (char)random.Next(0xC0, 0x17F),
                    7 => "'’-.,;:!?"[random.Next(9)],
                    8 => (char)random.Next(0, 0x20),
                    _ => (char)random.Next(0x20, 0xFFFF),
                });
            }

            var text = sb.ToString();
            AssertWellFormed(text, Tokens(stem: false, text));
        }
    }

    [Fact]
    public void Analyze_HundredKilobytes_TokenisesAll()
    {
        var text = string.Concat(Enumerable.Repeat("Hong Kong hosts the organisation. ", 3000));
        var tokens = Tokens(stem: true, text);
        Assert.Equal(5 * 3000, tokens.Count);
        Assert.Equal(text.Length - 2, tokens[^1].End);
    }

    /// <summary>Offsets inside the text and increasing; each surface term is a folded prefix of the written word.</summary>
    private static void AssertWellFormed(string text, List<(string Term, int Start, int End, int Increment)> tokens)
    {
        var last = 0;
        foreach (var (term, start, end, increment) in tokens)
        {
            Assert.InRange(start, last, text.Length);
            Assert.InRange(end, start + 1, text.Length);
            Assert.True(increment >= 1);
            Assert.NotEmpty(term);
            Assert.True(term.Length <= PolicyBotAnalyzer.MaxTokenLength * 4, term);
            last = start;
        }
    }
}
