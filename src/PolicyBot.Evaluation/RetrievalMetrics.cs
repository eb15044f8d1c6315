namespace PolicyBot.Evaluation;

/// <summary>The measures of one query (or their mean over queries).</summary>
public sealed record QueryMetrics(double Ndcg10, double Ap100, double Recall100, double P10, double Rr10);

/// <summary>
/// trec_eval's measures for a ranked list against graded judgements. Relevant means score ≥ 1; nDCG@10 uses the
/// graded score as gain with a log2(rank + 1) discount and the ideal ranking of all judged documents
/// (trec_eval <c>ndcg_cut.10</c>); MAP is cut at 100 (<c>map_cut.100</c>), precision divides by 10 whatever
/// was retrieved, and the reciprocal rank is 0 when nothing relevant is in the top 10.
/// </summary>
public static class RetrievalMetrics
{
    public static QueryMetrics Score(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgements)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgements);
        var relevantTotal = judgements.Values.Count(s => s >= 1);
        double dcg = 0, ap = 0;
        var found100 = 0;
        var found10 = 0;
        double rr = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rank = 0;
        foreach (var doc in ranking)
        {
            if (!seen.Add(doc))
            {
                continue; // a document counts once, at its best rank
            }

            rank++;
            if (rank > 100)
            {
                break;
            }

            var gain = judgements.TryGetValue(doc, out var g) ? g : 0;
            if (rank <= 10 && gain > 0)
            {
                dcg += gain / Math.Log2(rank + 1);
            }

            if (gain >= 1)
            {
                found100++;
                ap += (double)found100 / rank;
                if (rank <= 10)
                {
                    found10++;
                    if (rr == 0)
                    {
                        rr = 1.0 / rank;
                    }
                }
            }
        }

        var ideal = judgements.Values.Where(s => s > 0).OrderByDescending(s => s).Take(10).ToList();
        double idcg = 0;
        for (var i = 0; i < ideal.Count; i++)
        {
            idcg += ideal[i] / Math.Log2(i + 2);
        }

        return new QueryMetrics(
            idcg > 0 ? dcg / idcg : 0,
            relevantTotal > 0 ? ap / relevantTotal : 0,
            relevantTotal > 0 ? (double)found100 / relevantTotal : 0,
            found10 / 10.0,
            rr);
    }

    /// <summary>Mean over the given per-query measures (0 for none).</summary>
    public static QueryMetrics Mean(IReadOnlyCollection<QueryMetrics> perQuery)
    {
        ArgumentNullException.ThrowIfNull(perQuery);
        if (perQuery.Count == 0)
        {
            return new QueryMetrics(0, 0, 0, 0, 0);
        }

        return new QueryMetrics(
            perQuery.Average(m => m.Ndcg10),
            perQuery.Average(m => m.Ap100),
            perQuery.Average(m => m.Recall100),
            perQuery.Average(m => m.P10),
            perQuery.Average(m => m.Rr10));
    }

    /// <summary>The value at quantile <paramref name="q"/> (0–1) of <paramref name="sorted"/>, nearest-rank.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
