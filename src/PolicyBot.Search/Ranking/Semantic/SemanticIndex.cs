using System.Diagnostics;
using System.Numerics;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Searching;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Search.Ranking.Semantic;

/// <summary>
/// The semantic stage over one index version: a unit vector per passage (its text, with the document title and
/// heading path in front when <see cref="SemanticOptions.WithContext"/>), built through the search seam so it is
/// independent of how the lexical index stores passages, and fused with the lexical ranking per question.
/// </summary>
public sealed class SemanticIndex
{
    private readonly float[]?[] _vectors;
    private readonly int[] _ids;
    private readonly ITextEncoder _encoder;
    private readonly SemanticOptions _options;
    private int _questionsEncoded;

    private SemanticIndex(float[]?[] vectors, int[] ids, ITextEncoder encoder, SemanticOptions options, int embedded, TimeSpan elapsed)
    {
        _vectors = vectors;
        _ids = ids;
        _encoder = encoder;
        _options = options;
        Embedded = embedded;
        Elapsed = elapsed;
    }

    /// <summary>How many passages had to be embedded for this version (the rest came from the cache).</summary>
    public int Embedded { get; }

    public int Count => _ids.Length;

    public TimeSpan Elapsed { get; }

    public SemanticOptions Options => _options;

    /// <summary>What a passage is embedded as.</summary>
    public static string InputOf(PassageInfo passage, bool withContext)
    {
        ArgumentNullException.ThrowIfNull(passage);
        if (!withContext)
        {
            return passage.Text;
        }

        var heading = string.IsNullOrEmpty(passage.Section) ? passage.Title : $"{passage.Title} — {passage.Section}";
        return $"{heading}.\n{passage.Text}";
    }

    /// <summary>Embeds every live passage of the searcher's index version (Lucene document ids, which may have gaps).</summary>
    public static SemanticIndex Build(Searcher searcher, ITextEncoder encoder, SemanticOptions options, string cachePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        var mask = searcher.View.IsPassage;
        var ids = Enumerable.Range(0, mask.Length).Where(d => mask[d]).ToArray();
        return Build(searcher, ids, encoder, options, cachePath, cancellationToken);
    }

    /// <summary>Embeds the given passages, taking unchanged ones from the sidecar cache, and rewrites the cache.</summary>
    public static SemanticIndex Build(ISearcher searcher, IReadOnlyList<int> passageIds, ITextEncoder encoder, SemanticOptions options, string cachePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(passageIds);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        var started = Stopwatch.StartNew();
        var ids = passageIds.ToArray();
        var count = ids.Length == 0 ? 0 : ids.Max() + 1;
        var vectors = new float[]?[count];
        var keys = new string[count];
        var cache = EmbeddingCache.Open(cachePath, encoder.ModelId);
        var missing = new List<(int Passage, string Input)>();
        foreach (var p in ids)
        {
            var input = InputOf(searcher.Passage(p), options.WithContext);
            keys[p] = EmbeddingCache.Key(encoder.ModelId, input);
            if (cache.TryGet(keys[p], out var v))
            {
                vectors[p] = v;
            }
            else
            {
                missing.Add((p, input));
            }
        }

        // One passage per run, several runs side by side (the session is thread-safe and runs each on one thread):
        // measured on the shipped corpus, batches of 8 or 16 cost 7–25 % more CPU than single passages (padding,
        // larger activations) and hold 100–300 MB more at their peak. Longest first, so no core idles at the end.
        var ordered = missing.OrderByDescending(m => m.Input.Length).ToArray();
        if (ordered.Length > 0)
        {
            Parallel.For(0, ordered.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4), CancellationToken = cancellationToken }, i =>
            {
                vectors[ordered[i].Passage] = Normalised(encoder.Encode([ordered[i].Input], cancellationToken)[0]);
            });
            NativeHeap.Trim();
        }

        if (missing.Count > 0 || cache.Count != ids.Length)
        {
            var entries = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var p in ids)
            {
                entries[keys[p]] = vectors[p]!;
            }

            try
            {
                EmbeddingCache.Save(cachePath, encoder.ModelId, entries);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The cache only saves time: an unwritable folder costs a re-embed next start, nothing else.
            }
        }

        return new SemanticIndex(vectors, ids, encoder, options, missing.Count, started.Elapsed);
    }

    /// <summary>How many questions this version has embedded (the stage skipped the others).</summary>
    public int QuestionsEncoded => Volatile.Read(ref _questionsEncoded);

    /// <summary>The encoder (loaded on its first question, or at a build that had passages to embed).</summary>
    public ITextEncoder Encoder => _encoder;

    /// <summary>
    /// Whether the semantic stage has anything to add to this lexical result: only when the best passage lacks some
    /// of the question's words (coverage below <see cref="SemanticOptions.BelowCoverage"/>), the same test that
    /// decides whether the lexical ranking runs its feedback round. A question whose every word the best passage
    /// holds is answered without the model (which then need not even be loaded).
    /// </summary>
    public bool IsNeeded(ISearcher searcher, SearchResult result)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(result);
        return !result.Query.IsEmpty && result.Hits.Count > 0
            && (_options.BelowCoverage > 1 || searcher.Coverage(result.Query, result.Hits[0].Passage).Share < _options.BelowCoverage);
    }

    /// <summary>Cosine of the question to every passage, by passage id (0 for an id that is not a live passage).</summary>
    public float[] Similarities(string question, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _questionsEncoded);
        var q = Normalised(_encoder.Encode([question], cancellationToken)[0]);
        var sims = new float[_vectors.Length];
        foreach (var p in _ids)
        {
            sims[p] = Dot(q, _vectors[p]!);
        }

        return sims;
    }

    /// <summary>
    /// Fuses the lexical ranking with the semantic one for the question's searched text: the fused list (best
    /// first, at most <paramref name="top"/>) and the semantic evidence the composer weighs.
    /// </summary>
    public (IReadOnlyList<SearchHit> Hits, IReadOnlyDictionary<int, double> Similarity, IReadOnlyList<int> SemanticOrder) Fuse(string searchedText, IReadOnlyList<SearchHit> lexical, int top, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        var sims = Similarities(searchedText, cancellationToken);
        var depth = Math.Max(top, _options.Depth);
        var semanticOrder = _ids.OrderByDescending(p => sims[p]).ThenBy(p => p).Take(depth).ToList();
        var lexicalHits = lexical.Take(depth).ToList();
        var fused = _options.Fusion == SemanticFusion.Rrf
            ? Fusion.ReciprocalRank(lexicalHits, semanticOrder, _options.RrfK)
            : Fusion.Blend(lexicalHits, semanticOrder, sims, _options);
        var hits = fused.Take(top).ToList();
        var similarity = new Dictionary<int, double>();
        foreach (var p in semanticOrder.Concat(lexicalHits.Select(h => h.Passage)))
        {
            similarity[p] = p >= 0 && p < sims.Length ? sims[p] : 0;
        }

        return (hits, similarity, semanticOrder);
    }

    /// <summary>The evidence record for the composer from a fusion.</summary>
    public static AnswerEvidence WithSemantic(AnswerEvidence evidence, IReadOnlyDictionary<int, double> similarity, IReadOnlyList<int> order)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return evidence with { Semantic = similarity, SemanticOrder = order };
    }

    private static float[] Normalised(float[] v)
    {
        var norm = MathF.Sqrt(Dot(v, v));
        if (norm > 0 && Math.Abs(norm - 1) > 1e-4)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] /= norm;
            }
        }

        return v;
    }

    /// <summary>Dot product with SIMD lanes (the vectors are a few hundred floats).</summary>
    internal static float Dot(float[] a, float[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            sum += new Vector<float>(a, i) * new Vector<float>(b, i);
        }

        var total = Vector.Dot(sum, Vector<float>.One);
        for (; i < n; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }
}
