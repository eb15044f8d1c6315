using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Index;
using PolicyBot.Search.Ranking.Semantic;
using PolicyBot.Search.Retrieval;
using PolicyBot.Search;
using PolicyBot.Core.Searching;
using PolicyBot.Core.Text;

namespace PolicyBot.Evaluation;

/// <summary>Which ranker an evaluation measures.</summary>
public enum EvaluationRanker
{
    /// <summary>The searcher <c>ask</c> uses (BM25F on Lucene's postings and its query stages).</summary>
    Engine,

    /// <summary>Stock Lucene: <c>BM25Similarity</c> over an OR of the query terms in one field — the reference.</summary>
    LuceneBm25,
}

/// <summary>The outcome of evaluating a ranker on a test collection.</summary>
public sealed record EvaluationResult
{
    public required string Collection { get; init; }

    public required string Ranker { get; init; }

    public required int Documents { get; init; }

    public required int Passages { get; init; }

    /// <summary>Queries with at least one relevant judgement (the ones averaged over).</summary>
    public required int Queries { get; init; }

    public required QueryMetrics Mean { get; init; }

    /// <summary>Per judged query, in collection order.</summary>
    public required IReadOnlyList<(string QueryId, QueryMetrics Metrics)> PerQuery { get; init; }

    public required double IndexMilliseconds { get; init; }

    public required double P50Milliseconds { get; init; }

    public required double P99Milliseconds { get; init; }

    public required double MeanMilliseconds { get; init; }
}

/// <summary>
/// Runs every query of a BEIR collection through a ranker over a temporary index built by the same ingestion as
/// the corpus, and scores the document rankings (a document's score is its best passage's).
/// </summary>
public static class BeirEvaluation
{
    /// <summary>The documents of a ranked passage list, best passage first, at most <paramref name="top"/>.</summary>
    public static List<(string Document, double Score)> RankDocuments(ISearcher searcher, string question, int top, SemanticIndex? semantic = null)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        var text = QuestionText.Clean(question ?? "");
        var first = searcher.Search(text, new SearchOptions { Top = top });
        if (first.Query.IsEmpty)
        {
            return [];
        }

        if (semantic is not null && semantic.IsNeeded(searcher, first))
        {
            // The answer path's ranking: the lexical list fused with the semantic one (the same test decides whether it runs).
            var fused = semantic.Fuse(text, first.Hits, top).Hits;
            return BestPassagePerDocument(depth => depth == top ? fused : semantic.Fuse(text, searcher.Search(first.Query, depth), depth).Hits, p => searcher.Passage(p).DocumentPath, top, searcher.PassageCount);
        }

        return BestPassagePerDocument(depth => depth == top ? first.Hits : searcher.Search(first.Query, depth), p => searcher.Passage(p).DocumentPath, top, searcher.PassageCount);
    }

    /// <summary>Documents by their best passage, looking deeper while several passages of one document fill the list.</summary>
    private static List<(string Document, double Score)> BestPassagePerDocument(Func<int, IReadOnlyList<SearchHit>> search, Func<int, string> documentOf, int top, int passages)
    {
        var result = new List<(string, double)>(top);
        var depth = top;
        while (true)
        {
            var hits = search(depth);
            result.Clear();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var h in hits)
            {
                var doc = documentOf(h.Passage);
                if (seen.Add(doc))
                {
                    result.Add((doc, h.Score));
                    if (result.Count == top)
                    {
                        return result;
                    }
                }
            }

            if (hits.Count < depth || depth >= passages)
            {
                return result;
            }

            depth *= 4;
        }
    }

    public static EvaluationResult Run(
        BeirCollection collection,
        EvaluationRanker ranker,
        RankingOptions ranking,
        int top,
        string? runFile,
        ILoggerFactory loggers,
        CancellationToken cancellationToken,
        SemanticOptions? semantic = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var indexPath = Path.Combine(Path.GetTempPath(), $"policybot-eval-{Guid.NewGuid():N}");
        PolicyBotEngine? engine = null;
        try
        {
            var options = new PolicyBotOptions { IndexPath = indexPath, Ranking = ranking, Semantic = ranker == EvaluationRanker.Engine ? semantic ?? SemanticOptions.Off : SemanticOptions.Off };
            var documents = collection.Documents.Select(d => EvaluationDocuments.Create(d.Id, d.Title, d.Text));
            engine = PolicyBotEngine.OpenDocuments(documents, options, loggers, cancellationToken);
            var indexMs = engine.LastReport.Elapsed.TotalMilliseconds;
            var searcher = engine.Searcher;
            var stock = ranker == EvaluationRanker.LuceneBm25 ? new LuceneBm25Ranker(engine.View) : null;
            Func<string, List<(string, double)>> search = stock is null
                ? q => RankDocuments(searcher, q, top, engine.Semantic)
                : q => BestPassagePerDocument(depth => stock.Search(QuestionText.Clean(q ?? ""), depth), stock.DocumentOf, top, searcher.PassageCount);

            // Warm-up: two passes over the queries (tiered JIT promotes hot methods after 30 calls, in the
            // background), so latencies are those of a serving process.
            for (var pass = 0; pass < 2; pass++)
            {
                foreach (var q in collection.Queries)
                {
                    search(q.Text);
                }
            }

            var perQuery = new List<(string, QueryMetrics)>();
            var latencies = new List<double>(collection.Queries.Count);
            using var run = runFile is null ? null : new StreamWriter(runFile);
            foreach (var q in collection.Queries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                var ranked = search(q.Text);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (run is not null)
                {
                    for (var i = 0; i < ranked.Count; i++)
                    {
                        run.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{q.Id} Q0 {ranked[i].Item1} {i + 1} {ranked[i].Item2:R} policybot-{ranker.ToString().ToLowerInvariant()}"));
                    }
                }

                if (collection.Qrels.TryGetValue(q.Id, out var judged) && judged.Values.Any(s => s >= 1))
                {
                    perQuery.Add((q.Id, RetrievalMetrics.Score(ranked.Select(r => r.Item1).ToList(), judged)));
                }
            }

            latencies.Sort();
            return new EvaluationResult
            {
                Collection = collection.Name,
                Ranker = ranker == EvaluationRanker.LuceneBm25 ? "lucene-bm25" : engine.Semantic is null ? "engine" : $"engine+semantic-{engine.Semantic.Options.Fusion.ToString().ToLowerInvariant()}",
                Documents = engine.View.Documents.Count,
                Passages = engine.View.PassageCount,
                Queries = perQuery.Count,
                Mean = RetrievalMetrics.Mean(perQuery.Select(p => p.Item2).ToList()),
                PerQuery = perQuery,
                IndexMilliseconds = indexMs,
                P50Milliseconds = RetrievalMetrics.Percentile(latencies, 0.50),
                P99Milliseconds = RetrievalMetrics.Percentile(latencies, 0.99),
                MeanMilliseconds = latencies.Count == 0 ? 0 : latencies.Average(),
            };
        }
        finally
        {
            engine?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            TemporaryIndex.Delete(indexPath);
        }
    }
}

/// <summary>Deletes a temporary index folder.</summary>
internal static class TemporaryIndex
{
    public static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
