using System.Text;
using Microsoft.Data.Sqlite;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Index;

namespace PolicyBot.Search.Retrieval;

/// <summary>
/// The baseline ranker: SQLite FTS5's own <c>bm25()</c> (column weights title 2, section 1.5, body 1) over an OR of
/// the question's quoted, analysed terms (stop words dropped), best passage per document. It exists so that
/// evaluation can show the figures before the in-memory BM25F searcher. Not thread-safe: one per thread.
/// </summary>
public sealed class Fts5Searcher : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;
    private readonly SqliteParameter _match;
    private readonly SqliteParameter _limit;
    private readonly Dictionary<long, string> _documentOf = [];

    public Fts5Searcher(IndexStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _connection = store.Open();
        using (var paths = _connection.CreateCommand())
        {
            paths.CommandText = "SELECT p.id, d.path FROM passages p JOIN documents d ON d.id = p.document_id";
            using var r = paths.ExecuteReader();
            while (r.Read())
            {
                _documentOf[r.GetInt64(0)] = r.GetString(1);
            }
        }

        _command = _connection.CreateCommand();
        _command.CommandText = """
            SELECT rowid, bm25(passages_fts, 2.0, 1.5, 1.0) AS s FROM passages_fts WHERE passages_fts MATCH $match ORDER BY s, rowid LIMIT $limit
            """;
        _match = _command.Parameters.Add("$match", SqliteType.Text);
        _limit = _command.Parameters.Add("$limit", SqliteType.Integer);
        _command.Prepare();
    }

    /// <summary>The FTS5 MATCH expression for a question: its distinct content terms, quoted, joined by OR (null when none).</summary>
    public static string? MatchExpression(string question)
    {
        var surface = new List<string>();
        var tokens = TextAnalyzer.Default.Analyze(question ?? "", surface);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sb = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (TextAnalyzer.IsStopWord(surface[i]) || !seen.Add(tokens[i].Term))
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(" OR ");
            }

            sb.Append('"').Append(tokens[i].Term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>The best <paramref name="top"/> documents (their paths) with FTS5's score negated (higher is better).</summary>
    public List<(string Document, double Score)> SearchDocuments(string question, int top)
    {
        var result = new List<(string, double)>();
        var match = MatchExpression(question);
        if (match is null || top <= 0)
        {
            return result;
        }

        // FTS5 ranks passages; a document's score is its best passage's, so read deeper than top.
        _match.Value = match;
        _limit.Value = top * 4;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var r = _command.ExecuteReader();
        while (r.Read() && result.Count < top)
        {
            if (_documentOf.TryGetValue(r.GetInt64(0), out var doc) && seen.Add(doc))
            {
                result.Add((doc, -r.GetDouble(1)));
            }
        }

        return result;
    }

    public void Dispose()
    {
        _command.Dispose();
        _connection.Dispose();
    }
}
