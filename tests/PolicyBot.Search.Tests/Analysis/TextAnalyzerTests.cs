using PolicyBot.Search.Analysis;

namespace PolicyBot.Search.Tests.Analysis;

public class TextAnalyzerTests
{
    private static void AssertAnalyzesTo(string text, string[] terms, int[] starts, int[] lengths)
    {
        var tokens = TextAnalyzer.Default.Analyze(text);
        Assert.Equal(terms, tokens.Select(t => t.Term).ToArray());
        Assert.Equal(starts, tokens.Select(t => t.Start).ToArray());
        Assert.Equal(lengths, tokens.Select(t => t.Length).ToArray());
        Assert.Equal(Enumerable.Range(0, terms.Length).ToArray(), tokens.Select(t => t.Position).ToArray());
    }

    [Fact]
    public void Analyze_EnglishText_LowercasesStemsAndKeepsOffsets()
    {
        AssertAnalyzesTo("Hosting Organisations' Policies", ["host", "organis", "polici"], [0, 8, 23], [7, 13, 8]);
    }

    [Fact]
    public void Analyze_Possessive_DropsApostropheSAndKeepsTheWordsOffsets()
    {
        // The word delimiter filter drops a possessive 's (after ' or ’) with its offsets: the token spans the word itself.
        AssertAnalyzesTo("Hong Kong's edge; China’s plan", ["hong", "kong", "edg", "china", "plan"], [0, 5, 12, 18, 26], [4, 4, 4, 5, 4]);
    }

    [Fact]
    public void Analyze_Diacritics_AreFolded()
    {
        var tokens = TextAnalyzer.Default.Analyze("Régulation Zürich naïve");
        Assert.Equal(["regul", "zurich", "naiv"], tokens.Select(t => t.Term));
        Assert.Equal("Zürich", "Régulation Zürich naïve".Substring(tokens[1].Start, tokens[1].Length));
    }

    [Fact]
    public void Analyze_Cjk_EachIdeographIsAToken()
    {
        var tokens = TextAnalyzer.Default.Analyze("人工智能 AI");
        Assert.Equal(["人", "工", "智", "能", "ai"], tokens.Select(t => t.Term));
    }

    [Fact]
    public void Analyze_Punctuation_Hyphens_SplitWords()
    {
        Assert.Equal(["co", "host", "state", "led"], TextAnalyzer.Default.Analyze("co-host (state-led)").Select(t => t.Term));
    }

    [Fact]
    public void Analyze_EmptyAndSymbolsOnly_NoTokens()
    {
        Assert.Empty(TextAnalyzer.Default.Analyze(""));
        Assert.Empty(TextAnalyzer.Default.Analyze("*** \" -- () 🙂 \u0000"));
    }

    [Fact]
    public void Analyze_OverlongToken_IsDropped()
    {
        var tokens = TextAnalyzer.Default.Analyze(new string('x', 500) + " policy");
        Assert.Equal(["polici"], tokens.Select(t => t.Term));
    }

    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("relational", "relat")]
    [InlineData("generalization", "gener")]
    [InlineData("governance", "govern")]
    [InlineData("running", "run")]
    [InlineData("hopeful", "hope")]
    [InlineData("electrical", "electr")]
    public void Stem_PorterVocabulary_MatchesReference(string word, string stem)
    {
        Assert.Equal(stem, TextAnalyzer.Default.Stem(word));
    }

    [Fact]
    public void IsStopWord_QuestionWords_AreStopWordsButUsIsNot()
    {
        Assert.True(TextAnalyzer.IsStopWord("what"));
        Assert.True(TextAnalyzer.IsStopWord("the"));
        Assert.False(TextAnalyzer.IsStopWord("us"));
        Assert.False(TextAnalyzer.IsStopWord("hong"));
    }
}
