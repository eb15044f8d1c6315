using PolicyBot.Search.Retrieval;

namespace PolicyBot.Search.Tests.Retrieval;

public sealed class Fts5SearcherTests
{
    [Fact]
    public void MatchExpression_QuotesStemmedContentTermsJoinedByOr()
    {
        Assert.Equal("\"wing\" OR \"slipstream\"", Fts5Searcher.MatchExpression("What are the wings in a slipstream? wing"));
    }

    [Theory]
    [InlineData("what is the")]
    [InlineData("")]
    [InlineData("\"*( -")]
    public void MatchExpression_OnlyStopWordsOrSyntax_IsNull(string question)
    {
        Assert.Null(Fts5Searcher.MatchExpression(question));
    }

    [Fact]
    public void MatchExpression_Fts5Syntax_BecomesQuotedWords()
    {
        Assert.Equal("\"near\" OR \"shanghai\" OR \"x\"", Fts5Searcher.MatchExpression("NEAR(\"Shanghai\" AND -x*)"));
    }
}
