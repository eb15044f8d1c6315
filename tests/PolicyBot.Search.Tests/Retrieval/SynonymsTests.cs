using PolicyBot.Testing.Corpus;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Search.Tests.Retrieval;

public sealed class SynonymsTests
{
    private static readonly Synonyms Groups = Synonyms.Parse("""
        # a comment
        Hong Kong, HK, HKSAR
        World Artificial Intelligence Cooperation Organisation, WAICO, World AI Cooperation Organisation
        AI Risk Management Framework, AI RMF, NIST RMF
        """);

    private static string[] Terms(string text) => TextAnalyzer.Default.Analyze(text).Select(t => t.Term).ToArray();

    [Fact]
    public void Expansions_Abbreviation_GivesEveryOtherNameOfItsGroup()
    {
        var expansions = Groups.Expansions(Terms("hk courts")).ToList();
        Assert.All(expansions, e => Assert.Equal(["hk"], e.Matched));
        Assert.Equal([["hong", "kong"], ["hksar"]], expansions.Select(e => e.Other));
    }

    [Fact]
    public void Expansions_MultiWordName_MatchesTheWholeRunLongestFirst()
    {
        var expansions = Groups.Expansions(Terms("world artificial intelligence cooperation organisation sit")).ToList();
        Assert.NotEmpty(expansions);
        Assert.All(expansions, e => Assert.Equal(Terms("world artificial intelligence cooperation organisation"), e.Matched));
        Assert.Contains(expansions, e => e.Other.SequenceEqual(["waico"]));
    }

    [Fact]
    public void Expansions_NoName_Nothing()
    {
        Assert.Empty(Groups.Expansions(Terms("singapore regulation")));
        Assert.Empty(Synonyms.None.Expansions(Terms("hk")));
    }

    [Fact]
    public void Parse_BadLines_AreReportedAndSkipped()
    {
        var problems = new List<Synonyms.Problem>();
        var parsed = Synonyms.Parse("Hong Kong, , HK\nlonely\nthe, a\n", problems);
        Assert.Equal(1, parsed.GroupCount);
        Assert.Equal([1, 2, 3], problems.Select(p => p.Line));
    }

    [Fact]
    public async Task Answer_SynonymOfTheName_FindsThePassageThatUsesTheOtherName()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        var answer = engine.Answer(new Question("Why could HK co-host WAICO?", QuestionContext.Cli));
        Assert.Equal(AnswerOutcome.Answered, answer.Outcome);
        Assert.Contains("Hong Kong could co-host", answer.Citations[0].Passage, StringComparison.Ordinal);

        File.Delete(Path.Combine(corpus.CorpusDir, "synonyms.txt"));
        await engine.RefreshAsync(CancellationToken.None);
        var without = engine.Answer(new Question("Why could HK co-host WAICO?", QuestionContext.Cli));
        Assert.NotEqual(AnswerOutcome.Answered, without.Outcome);
    }

    [Fact]
    public async Task Search_WordAndOneWordSynonyms_ScoreAsOneTerm()
    {
        using var corpus = new TestCorpus();
        corpus.Write("synonyms.txt", "fund, budget\n");
        // Same length, same number of fund-or-budget words: one says it twice, the other once in each form.
        corpus.Write("a.md", "---\ntitle: Harbour\nsource: s\nkind: note\n---\n# Harbour\n\nThe harbour fund pays for sensors and the fund pays for divers today.\n");
        corpus.Write("b.md", "---\ntitle: Harbour\nsource: s\nkind: note\n---\n# Harbour\n\nThe harbour fund pays for sensors and the budget pays for divers today.\n");
        corpus.Write("c.md", "---\ntitle: Ports\nsource: s\nkind: note\n---\n# Ports\n\nPorts handle containers and bulk cargo every single day of the year.\n");
        await using var engine = await corpus.OpenAsync();
        var s = engine.Searcher;
        var query = s.Parse("harbour fund");
        var hits = s.Search(query, 10);
        var byPath = hits.ToDictionary(h => s.Passage(h.Passage).DocumentPath, h => h.Score);
        Assert.Equal(byPath["a.md"], byPath["b.md"], 3);

        // Explain names the unit and its contributions still add up to the score.
        var explained = s.Explain(query, hits.First(h => s.Passage(h.Passage).DocumentPath == "b.md").Passage);
        Assert.Contains(explained, c => c.Term.Contains("budget", StringComparison.Ordinal) && c.Term.Contains("(synonyms)", StringComparison.Ordinal));
        Assert.Equal(byPath["b.md"], explained.Sum(c => c.Contribution), 3);
    }
}
