using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Searching;
using PolicyBot.Search.Ranking.Semantic;

namespace PolicyBot.Search.Tests.Ranking;

/// <summary>The semantic stage on the real MiniLM model: cache by content hash, fusion, the off switch.</summary>
public sealed class SemanticStageTests : IDisposable
{
    private readonly TestCorpus _corpus = new TestCorpus(CorpusSet.PolicyNotes);

    public void Dispose() => _corpus.Dispose();

    private Task<PolicyBotEngine> OpenAsync(SemanticOptions semantic)
    {
        var options = _corpus.Options();
        options.Semantic = semantic;
        return PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task Build_EditOneFile_ReembedsOnlyThatFilesPassages()
    {
        await using (var engine = await OpenAsync(SemanticOptions.On))
        {
            Assert.Equal(engine.Searcher.PassageCount, engine.Semantic!.Embedded);
            Assert.True(File.Exists(EmbeddingCache.PathFor(_corpus.IndexPath, SentenceEncoders.Get(SemanticModel.MiniLm).ModelId)));
        }

        // Nothing changed: a restart embeds nothing.
        await using (var again = await OpenAsync(SemanticOptions.On))
        {
            Assert.Equal(0, again.Semantic!.Embedded);
        }

        // The same corpus with one file edited, indexed afresh, against the same cache: only that file's passages are embedded.
        var encoder = SentenceEncoders.Get(SemanticModel.MiniLm);
        var cache = EmbeddingCache.PathFor(_corpus.IndexPath, encoder.ModelId);
        using var edited = new TestCorpus(CorpusSet.PolicyNotes);
        var hosting = File.ReadAllText(Path.Combine(edited.CorpusDir, "hosting.md"));
        edited.Write("hosting.md", hosting.Replace("The city also offers deep capital markets and a free port.", "The city also offers deep capital markets, a free port and a deep pool of legal talent.", StringComparison.Ordinal));
        await using var lexical = await edited.OpenAsync();
        var searcher = lexical.Searcher;
        var filePassages = Enumerable.Range(0, searcher.PassageCount).Count(p => searcher.Passage(p).DocumentPath.EndsWith("hosting.md", StringComparison.Ordinal));
        var rebuilt = SemanticIndex.Build(searcher, encoder, SemanticOptions.On, cache, CancellationToken.None);
        Assert.InRange(rebuilt.Embedded, 1, filePassages);
        Assert.Equal(searcher.PassageCount, rebuilt.Count);
        Assert.Equal(0, SemanticIndex.Build(searcher, encoder, SemanticOptions.On, cache, CancellationToken.None).Embedded);
    }

    [Fact]
    public async Task Cache_CorruptSidecar_IsRebuiltNotFatal()
    {
        await using (var engine = await OpenAsync(SemanticOptions.On))
        {
            Assert.NotNull(engine.Semantic);
        }

        var sidecar = EmbeddingCache.PathFor(_corpus.IndexPath, SentenceEncoders.Get(SemanticModel.MiniLm).ModelId);
        File.WriteAllBytes(sidecar, [1, 2, 3, 4, 5, 6, 7]);
        await using var reopened = await OpenAsync(SemanticOptions.On);
        Assert.Equal(reopened.Searcher.PassageCount, reopened.Semantic!.Embedded);
    }

    [Fact]
    public async Task OffSwitch_NoModelNoSidecar_LexicalPathAnswers()
    {
        await using var engine = await OpenAsync(SemanticOptions.Off);
        Assert.Null(engine.Semantic);
        Assert.False(File.Exists(EmbeddingCache.PathFor(_corpus.IndexPath, SentenceEncoders.Get(SemanticModel.MiniLm).ModelId)));
        var answer = engine.Answer(new Question("Why should Hong Kong co-host the organisation?", QuestionContext.Cli));
        Assert.True(answer.Answered, answer.Text);
        Assert.NotNull(answer.Confidence);
    }

    [Fact]
    public async Task Similarities_ParaphraseRanksThePassageWithNoSharedWordFirst()
    {
        await using var engine = await OpenAsync(SemanticOptions.On);
        var sims = engine.Semantic!.Similarities("where do most machine-learning workers live");
        var best = Array.IndexOf(sims, sims.Max());
        Assert.Contains("100,000 AI professionals", engine.Searcher.Passage(best).Text, StringComparison.Ordinal);
        Assert.All(sims, s => Assert.InRange(s, -1.001f, 1.001f));
    }

    [Fact]
    public void ReciprocalRank_SumsBothListsAndKeepsLexicalOrderOnTies()
    {
        var lexical = new[] { new SearchHit(1, 9), new SearchHit(2, 5), new SearchHit(3, 1) };
        var fused = Fusion.ReciprocalRank(lexical, [3, 2, 7], k: 10);
        Assert.Equal([3, 2, 1, 7], fused.Select(h => h.Passage));
        Assert.Equal((1.0 / 13) + (1.0 / 11), fused[0].Score, 9);
        var tie = Fusion.ReciprocalRank([new SearchHit(5, 1), new SearchHit(6, 1)], [6, 5], k: 10);
        Assert.Equal([5, 6], tie.Select(h => h.Passage));
    }

    [Fact]
    public void Blend_CalibratesCosinesAndWeighsBothSides()
    {
        var lexical = new[] { new SearchHit(0, 10), new SearchHit(1, 5) };
        var cosines = new float[] { 0.2f, 0.8f, 0.5f };
        var options = new SemanticOptions { Enabled = true, Fusion = SemanticFusion.Blend, BlendWeight = 0.5, CosineFloor = 0.2, CosineCeiling = 0.8 };
        var fused = Fusion.Blend(lexical, [1, 2, 0], cosines, options);
        Assert.Equal([1, 0, 2], fused.Select(h => h.Passage));
        Assert.Equal(0.75, fused[0].Score, 6);
        Assert.Equal(0.5, fused[1].Score, 6);
        Assert.Equal(0.25, fused[2].Score, 6);
        var lexicalOnly = Fusion.Blend(lexical, [1, 2, 0], cosines, options with { BlendWeight = 0 });
        Assert.Equal([0, 1], lexicalOnly.Take(2).Select(h => h.Passage));
    }
}
