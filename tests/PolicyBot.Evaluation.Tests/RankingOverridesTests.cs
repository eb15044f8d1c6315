using PolicyBot.Evaluation;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Evaluation.Tests;

public sealed class RankingOverridesTests
{
    [Fact]
    public void Apply_NamesAndValues_SetsThem()
    {
        var o = RankingOverrides.Apply(RankingOptions.Default, "k1=0.9, B=0.4,FeedbackDocuments=5");
        Assert.Equal(0.9, o.K1);
        Assert.Equal(0.4, o.B);
        Assert.Equal(5, o.FeedbackDocuments);
        Assert.Equal(RankingOptions.Default.TitleWeight, o.TitleWeight);
    }

    [Theory]
    [InlineData("Nope=1")]
    [InlineData("K1")]
    [InlineData("K1=abc")]
    public void Apply_BadSpec_Throws(string spec)
    {
        Assert.Throws<FormatException>(() => RankingOverrides.Apply(RankingOptions.Default, spec));
    }
}
