using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Index;

namespace PolicyBot.Search.Retrieval;

/// <summary>
/// The reference ranker: stock Lucene — a <see cref="BooleanQuery"/> of the question's analysed terms (stop and
/// question words dropped; no synonyms, spelling or feedback) over the one title+section+body field, scored by
/// Lucene's own <see cref="BM25Similarity"/> through <see cref="IndexSearcher"/>. It exists so that <c>eval</c> can
/// put the project's ranking beside Lucene's in one command. Thread-safe.
/// </summary>
public sealed class LuceneBm25Ranker
{
    private readonly IndexView _view;
    private readonly IndexSearcher? _searcher;

    public LuceneBm25Ranker(IndexView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        _view = view;
        if (view.Reader is not null)
        {
            _searcher = new IndexSearcher(view.Reader) { Similarity = new BM25Similarity() };
        }
    }

    /// <summary>The best passages for a question, best first.</summary>
    public IReadOnlyList<Core.Searching.SearchHit> Search(string question, int top)
    {
        if (_searcher is null || top <= 0)
        {
            return [];
        }

        var surface = new List<string>();
        var tokens = TextAnalyzer.Default.Analyze(question ?? "", surface);
        var query = new BooleanQuery();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count && query.Clauses.Count < BooleanQuery.MaxClauseCount; i++)
        {
            if (!TextAnalyzer.IsStopWord(surface[i]) && seen.Add(tokens[i].Term))
            {
                query.Add(new TermQuery(new Term(IndexFields.All, tokens[i].Term)), Occur.SHOULD);
            }
        }

        if (query.Clauses.Count == 0)
        {
            return [];
        }

        var docs = _searcher.Search(query, top);
        return docs.ScoreDocs.Select(d => new Core.Searching.SearchHit(d.Doc, d.Score)).ToList();
    }

    public string DocumentOf(int passage) => _view.Passage(passage).DocumentPath;
}
