using System.Globalization;
using System.Text.Json;

namespace PolicyBot.Evaluation;

/// <summary>One entry of a BEIR corpus.</summary>
public sealed record BeirDocument(string Id, string Title, string Text);

/// <summary>One BEIR query.</summary>
public sealed record BeirQuery(string Id, string Text);

/// <summary>
/// A test collection in BEIR format: <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>), <c>queries.jsonl</c>
/// (<c>_id</c>, <c>text</c>) and <c>qrels.tsv</c> (<c>query-id corpus-id score</c> with a header line; also
/// <c>qrels/test.tsv</c> as BEIR ships it).
/// </summary>
public sealed class BeirCollection
{
    private BeirCollection(string name, List<BeirDocument> documents, List<BeirQuery> queries, Dictionary<string, Dictionary<string, int>> qrels)
    {
        Name = name;
        Documents = documents;
        Queries = queries;
        Qrels = qrels;
    }

    public string Name { get; }

    public IReadOnlyList<BeirDocument> Documents { get; }

    public IReadOnlyList<BeirQuery> Queries { get; }

    /// <summary>Judgements: query id → (document id → graded score).</summary>
    public IReadOnlyDictionary<string, Dictionary<string, int>> Qrels { get; }

    public static BeirCollection Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var corpus = Path.Combine(directory, "corpus.jsonl");
        var queries = Path.Combine(directory, "queries.jsonl");
        var qrels = Path.Combine(directory, "qrels.tsv");
        if (!File.Exists(qrels) && File.Exists(Path.Combine(directory, "qrels", "test.tsv")))
        {
            qrels = Path.Combine(directory, "qrels", "test.tsv");
        }

        foreach (var f in new[] { corpus, queries, qrels })
        {
            if (!File.Exists(f))
            {
                throw new FileNotFoundException($"BEIR collection file missing: {f}", f);
            }
        }

        var docs = new List<BeirDocument>();
        foreach (var (o, line) in JsonLines(corpus))
        {
            docs.Add(new BeirDocument(Id(o, corpus, line), Str(o, "title"), Str(o, "text")));
        }

        var qs = new List<BeirQuery>();
        foreach (var (o, line) in JsonLines(queries))
        {
            qs.Add(new BeirQuery(Id(o, queries, line), Str(o, "text")));
        }

        return new BeirCollection(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))), docs, qs, ReadQrels(qrels));
    }

    /// <summary>Reads a qrels TSV (header optional; whitespace-separated; TREC's four-column form is accepted too).</summary>
    public static Dictionary<string, Dictionary<string, int>> ReadQrels(string path)
    {
        var result = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var f = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0)
            {
                continue;
            }

            if (f.Length is not (3 or 4) || !int.TryParse(f[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var score))
            {
                if (lineNo == 1)
                {
                    continue; // header
                }

                throw new FormatException($"{path}:{lineNo}: expected 'query-id corpus-id score'");
            }

            var q = f[0];
            var d = f.Length == 4 ? f[2] : f[1];
            if (!result.TryGetValue(q, out var judged))
            {
                result[q] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            judged[d] = score;
        }

        return result;
    }

    private static IEnumerable<(JsonElement Object, int Line)> JsonLines(string path)
    {
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            yield return (doc.RootElement.Clone(), lineNo);
        }
    }

    private static string Id(JsonElement o, string path, int line)
    {
        if (o.TryGetProperty("_id", out var id))
        {
            return id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
        }

        throw new FormatException($"{path}:{line}: entry has no _id");
    }

    private static string Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
