using PolicyBot.Core.Searching;

namespace PolicyBot.Search.Ranking.Semantic;

/// <summary>The two ways of fusing a lexical and a semantic ranking, measured side by side by <c>eval</c>.</summary>
public static class Fusion
{
    /// <summary>Reciprocal-rank fusion (Cormack et al.): each passage scores 1/(k + rank) in each list it appears in.</summary>
    public static List<SearchHit> ReciprocalRank(IReadOnlyList<SearchHit> lexical, IReadOnlyList<int> semantic, int k)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(semantic);
        var scores = new Dictionary<int, double>();
        for (var r = 0; r < lexical.Count; r++)
        {
            scores[lexical[r].Passage] = 1.0 / (k + r + 1);
        }

        for (var r = 0; r < semantic.Count; r++)
        {
            scores[semantic[r]] = scores.GetValueOrDefault(semantic[r]) + (1.0 / (k + r + 1));
        }

        return Ordered(scores, lexical);
    }

    /// <summary>
    /// Calibrated blend: (1 − w) × lexical score / best lexical score + w × cosine mapped linearly from
    /// [floor, ceiling] onto [0, 1]; a passage missing from a list scores 0 there.
    /// </summary>
    public static List<SearchHit> Blend(IReadOnlyList<SearchHit> lexical, IReadOnlyList<int> semantic, IReadOnlyList<float> cosines, SemanticOptions options)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(semantic);
        ArgumentNullException.ThrowIfNull(cosines);
        ArgumentNullException.ThrowIfNull(options);
        var best = lexical.Count > 0 ? Math.Max(lexical[0].Score, 1e-9) : 1;
        var w = Math.Clamp(options.BlendWeight, 0, 1);
        var span = Math.Max(1e-6, options.CosineCeiling - options.CosineFloor);
        double Calibrated(int p) => p >= 0 && p < cosines.Count ? Math.Clamp((cosines[p] - options.CosineFloor) / span, 0, 1) : 0;
        var scores = new Dictionary<int, double>();
        foreach (var h in lexical)
        {
            scores[h.Passage] = ((1 - w) * h.Score / best) + (w * Calibrated(h.Passage));
        }

        foreach (var p in semantic)
        {
            scores.TryAdd(p, w * Calibrated(p));
        }

        return Ordered(scores, lexical);
    }

    /// <summary>Best first; ties keep the lexical order, then the passage id, so results are deterministic.</summary>
    private static List<SearchHit> Ordered(Dictionary<int, double> scores, IReadOnlyList<SearchHit> lexical)
    {
        var lexicalRank = new Dictionary<int, int>();
        for (var r = 0; r < lexical.Count; r++)
        {
            lexicalRank.TryAdd(lexical[r].Passage, r);
        }

        return scores
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => lexicalRank.GetValueOrDefault(kv.Key, int.MaxValue))
            .ThenBy(kv => kv.Key)
            .Select(kv => new SearchHit(kv.Key, kv.Value))
            .ToList();
    }
}
