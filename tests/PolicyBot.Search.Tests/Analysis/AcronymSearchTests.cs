using PolicyBot.Core.Conversation;

namespace PolicyBot.Search.Tests.Analysis;

/// <summary>An acronym written with dots and the same acronym without them are one word, in passages, questions and synonyms.</summary>
public sealed class AcronymSearchTests
{
    private static Question Q(string text) => new(text, QuestionContext.Cli);

    [Theory]
    [InlineData("What model does the US follow?")]
    [InlineData("What model does the U.S. follow?")]
    [InlineData("what model does the u.s follow")]
    public async Task Answer_AcronymWithOrWithoutDots_FindsThePassageThatWritesItEitherWay(string question)
    {
        using var corpus = new TestCorpus();
        corpus.Write("us.md", "---\ntitle: Governance in America\nkind: note\n---\nThe U.S. follows an innovation-first model led by private capital.\n");
        corpus.Write("eu.md", "---\ntitle: Governance in Europe\nkind: note\n---\nThe EU follows a rights-based model with a risk-tiered act.\n");
        await using var engine = await corpus.OpenAsync();
        var answer = engine.Answer(Q(question));
        Assert.True(answer.Answered, answer.Text);
        Assert.Equal("us.md", answer.Citations[0].DocumentPath);
        Assert.Contains("The U.S. follows", answer.Citations[0].Passage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_SynonymGroupWritesTheDottedAcronym_ExpandsTheQuestionsOtherName()
    {
        using var corpus = new TestCorpus();
        corpus.Write("us.md", "---\ntitle: Governance in America\nkind: note\n---\nThe United States follows an innovation-first model led by private capital.\n");
        corpus.Write("eu.md", "---\ntitle: Governance in Europe\nkind: note\n---\nThe EU follows a rights-based model with a risk-tiered act.\n");
        corpus.Write("synonyms.txt", "United States, US, U.S., USA\n");
        await using var engine = await corpus.OpenAsync();
        var result = engine.Searcher.Search("What is the U.S. model?", new PolicyBot.Core.Searching.SearchOptions { Top = 2 });
        Assert.Contains(result.Query.Terms, t => t.Term == "state" && t.Origin == PolicyBot.Core.Searching.QueryTermOrigin.Synonym);
        Assert.Equal("us.md", engine.Searcher.Passage(result.Hits[0].Passage).DocumentPath);
    }
}
