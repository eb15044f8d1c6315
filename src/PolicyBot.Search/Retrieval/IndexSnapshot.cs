using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PolicyBot.Search.Index;

namespace PolicyBot.Search.Retrieval;

/// <summary>A document as the searcher sees it.</summary>
public sealed record IndexedDocument(
    long Id,
    string Path,
    string Title,
    string Source,
    IReadOnlyList<string> Authors,
    string? Published,
    string Kind,
    IReadOnlyList<string> Jurisdictions,
    IReadOnlyList<string> Topics,
    string Text,
    DateTimeOffset IndexedAt,
    int PassageCount);

/// <summary>A passage as the searcher sees it: field statistics and the body's term ids in order.</summary>
internal sealed class IndexedPassage
{
    public required long Id { get; init; }

    public required int Document { get; init; }

    public required int Ordinal { get; init; }

    public required string Section { get; init; }

    public required int Start { get; init; }

    public required int Length { get; init; }

    public required int TitleLength { get; init; }

    public required int SectionLength { get; init; }

    /// <summary>Term ids of the body in order (stop words included; positions are indexes).</summary>
    public required int[] Body { get; init; }
}

/// <summary>One posting: a passage and the term's frequency in each field.</summary>
internal readonly record struct Posting(int Passage, float Title, float Section, float Body);

/// <summary>
/// An immutable, in-memory view of the FTS5 index: the postings of every term (read from the FTS5 table's
/// analysed columns), field lengths and collection statistics. Searches run against a snapshot; a rebuild
/// loads a new one and swaps it in atomically, so a question never sees a half-built index.
/// </summary>
public sealed class IndexSnapshot
{
    private IndexSnapshot(
        string buildId,
        DateTimeOffset builtAt,
        IndexedDocument[] documents,
        IndexedPassage[] passages,
        Dictionary<string, int> termIds,
        string[] terms,
        Posting[][] postings)
    {
        BuildId = buildId;
        BuiltAt = builtAt;
        Documents = documents;
        Passages = passages;
        TermIds = termIds;
        Terms = terms;
        Postings = postings;
        double t = 0, s = 0, b = 0;
        foreach (var p in passages)
        {
            t += p.TitleLength;
            s += p.SectionLength;
            b += p.Body.Length;
        }

        var n = Math.Max(1, passages.Length);
        AverageTitle = Math.Max(1, t / n);
        AverageSection = Math.Max(1, s / n);
        AverageBody = Math.Max(1, b / n);
        TermLengthBuckets = BuildLengthBuckets(terms);
    }

    public string BuildId { get; }

    public DateTimeOffset BuiltAt { get; }

    public IReadOnlyList<IndexedDocument> Documents { get; }

    internal IndexedPassage[] Passages { get; }

    internal Dictionary<string, int> TermIds { get; }

    internal string[] Terms { get; }

    internal Posting[][] Postings { get; }

    internal double AverageTitle { get; }

    internal double AverageSection { get; }

    internal double AverageBody { get; }

    /// <summary>Term ids grouped by term length, for spelling correction.</summary>
    internal int[][] TermLengthBuckets { get; }

    public int PassageCount => Passages.Length;

    public int TermCount => Terms.Length;

    public string PassageText(int passage)
    {
        var p = Passages[passage];
        return Documents[p.Document].Text.Substring(p.Start, p.Length);
    }

    internal int DocumentFrequency(int termId) => Postings[termId].Length;

    public static IndexSnapshot Empty { get; } = new("empty", DateTimeOffset.MinValue, [], [], new Dictionary<string, int>(), [], []);

    /// <summary>Loads the snapshot from the index file.</summary>
    public static IndexSnapshot Load(IndexStore store, CancellationToken cancellationToken)
    {
        using var c = store.Open();
        var buildId = IndexStore.ReadMeta(c, "build_id") ?? "empty";
        var builtAt = DateTimeOffset.TryParse(IndexStore.ReadMeta(c, "built_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ba) ? ba : DateTimeOffset.MinValue;

        var documents = new List<IndexedDocument>();
        var docIndex = new Dictionary<long, int>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = """
                SELECT d.id, d.path, d.title, d.source, d.authors, d.published, d.kind, d.jurisdictions, d.topics, d.text, d.indexed_at,
                       (SELECT count(*) FROM passages p WHERE p.document_id = d.id)
                FROM documents d ORDER BY d.path, d.id
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                docIndex[r.GetInt64(0)] = documents.Count;
                documents.Add(new IndexedDocument(
                    r.GetInt64(0),
                    r.GetString(1),
                    r.GetString(2),
                    r.GetString(3),
                    ReadList(r.GetString(4)),
                    r.IsDBNull(5) ? null : r.GetString(5),
                    r.GetString(6),
                    ReadList(r.GetString(7)),
                    ReadList(r.GetString(8)),
                    r.GetString(9),
                    DateTimeOffset.Parse(r.GetString(10), CultureInfo.InvariantCulture),
                    r.GetInt32(11)));
            }
        }

        var termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var terms = new List<string>();
        var postings = new List<List<Posting>>();
        var passages = new List<IndexedPassage>();
        var counts = new Dictionary<int, (int T, int S, int B)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = """
                SELECT p.id, p.document_id, p.ordinal, p.section, p.start, p.length, f.title, f.section, f.body
                FROM passages p JOIN passages_fts f ON f.rowid = p.id
                ORDER BY p.document_id, p.ordinal
                """;
            using var r = cmd.ExecuteReader();
            var bodyIds = new List<int>(256);
            while (r.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!docIndex.TryGetValue(r.GetInt64(1), out var doc))
                {
                    continue;
                }

                var passageIndex = passages.Count;
                counts.Clear();
                var titleLength = Count(r.GetString(6), 0);
                var sectionLength = Count(r.GetString(7), 1);
                bodyIds.Clear();
                Count(r.GetString(8), 2, bodyIds);
                foreach (var (term, (t, s, b)) in counts)
                {
                    postings[term].Add(new Posting(passageIndex, t, s, b));
                }

                passages.Add(new IndexedPassage
                {
                    Id = r.GetInt64(0),
                    Document = doc,
                    Ordinal = r.GetInt32(2),
                    Section = r.GetString(3),
                    Start = r.GetInt32(4),
                    Length = r.GetInt32(5),
                    TitleLength = titleLength,
                    SectionLength = sectionLength,
                    Body = bodyIds.ToArray(),
                });
            }
        }

        return new IndexSnapshot(buildId, builtAt, documents.ToArray(), passages.ToArray(), termIds, terms.ToArray(), postings.Select(p => p.ToArray()).ToArray());

        int Count(string analysed, int field, List<int>? sequence = null)
        {
            var n = 0;
            foreach (var range in analysed.AsSpan().Split(' '))
            {
                var span = analysed.AsSpan(range);
                if (span.IsEmpty)
                {
                    continue;
                }

                var lookup = termIds.GetAlternateLookup<ReadOnlySpan<char>>();
                if (!lookup.TryGetValue(span, out var id))
                {
                    id = terms.Count;
                    var term = span.ToString();
                    termIds[term] = id;
                    terms.Add(term);
                    postings.Add([]);
                }

                sequence?.Add(id);
                counts.TryGetValue(id, out var c3);
                counts[id] = field switch
                {
                    0 => (c3.T + 1, c3.S, c3.B),
                    1 => (c3.T, c3.S + 1, c3.B),
                    _ => (c3.T, c3.S, c3.B + 1),
                };
                n++;
            }

            return n;
        }
    }

    private static IReadOnlyList<string> ReadList(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SearchJsonContext.Default.IReadOnlyListString) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static int[][] BuildLengthBuckets(string[] terms)
    {
        var buckets = new List<int>[TextAnalyzerMaxLength + 2];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = [];
        }

        for (var id = 0; id < terms.Length; id++)
        {
            buckets[Math.Min(terms[id].Length, TextAnalyzerMaxLength + 1)].Add(id);
        }

        return buckets.Select(b => b.ToArray()).ToArray();
    }

    private const int TextAnalyzerMaxLength = Analysis.TextAnalyzer.MaxTokenLength;
}
