using System.Globalization;
using System.Text;
using System.Text.Json;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using PolicyBot.Core.Searching;
using PolicyBot.Search.Corpus;

namespace PolicyBot.Search.Index;

/// <summary>A corpus file as the index records it.</summary>
public sealed record IndexedDocument(
    string Path,
    string Title,
    string Source,
    IReadOnlyList<string> Authors,
    string? Published,
    string Kind,
    IReadOnlyList<string> Jurisdictions,
    IReadOnlyList<string> Topics,
    DateTimeOffset IndexedAt,
    int PassageCount)
{
    /// <summary>SHA-256 of the file's content (hex), as the sync compares it.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>The main source's structured citation fields (null for records written before they were stored).</summary>
    public PolicyBot.Core.Conversation.SourceReference? MainSource { get; init; }
}

/// <summary>A file's record as stored (for the sync and the catalog).</summary>
internal sealed record StoredRecord(string FullPath, string Path, string Hash, long Size, long Mtime, int PassageCount, DocumentMetadata Metadata, string IndexedAt, long Checked);

/// <summary>Reads the per-file records of an index.</summary>
internal static class IndexRecords
{
    public static List<StoredRecord> Read(IndexReader reader)
    {
        // Each record is one small JSON value in a doc-values field: reading the catalog never decompresses the
        // stored-field blocks of the passages around it (that cost most of opening a large index).
        var result = new List<StoredRecord>();
        var bytes = new BytesRef();
        foreach (var leaf in reader.Leaves)
        {
            var atomic = leaf.AtomicReader;
            var terms = atomic.GetTerms(IndexFields.Record);
            var values = atomic.GetBinaryDocValues(IndexFields.RecordData);
            if (terms is null || values is null)
            {
                continue;
            }

            var live = atomic.LiveDocs;
            var te = terms.GetEnumerator();
            DocsEnum? docs = null;
            while (te.MoveNext())
            {
                docs = te.Docs(live, docs, DocsFlags.NONE);
                int d;
                while ((d = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    values.Get(d, bytes);
                    var record = JsonSerializer.Deserialize(bytes.Bytes.AsSpan(bytes.Offset, bytes.Length), SearchJsonContext.Default.StoredRecord);
                    if (record is not null)
                    {
                        result.Add(record);
                    }
                }
            }
        }

        return result;
    }

    public static byte[] Encode(StoredRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, SearchJsonContext.Default.StoredRecord);

    internal static PolicyBot.Core.Conversation.SourceReference? MainSource(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, SearchJsonContext.Default.SourceReference);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static IReadOnlyList<string> List(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(json, SearchJsonContext.Default.IReadOnlyListString) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

/// <summary>
/// One version of the index as the searcher reads it: a Lucene reader (postings, norms and stored fields stay
/// in Lucene's files, memory-mapped), plus what ranking needs at hand for every question — the term dictionary
/// of <see cref="IndexFields.All"/> with document frequencies (dense term ids for allocation-free scratch
/// arrays), the exact field lengths of every passage, and the catalog of files. Passage ids are Lucene document
/// ids of this reader. Reference-counted: a question holds it with <see cref="TryAcquire"/> / <see cref="Release"/>,
/// so a reload never closes a reader under a question.
/// </summary>
public sealed class IndexView
{
    private readonly SearcherManager? _manager;
    private readonly IndexSearcher? _searcher;

    private IndexView()
    {
        BuildId = "empty";
        BuiltAt = DateTimeOffset.MinValue;
        Documents = [];
        Leaves = [];
        TermIds = new Dictionary<string, int>(StringComparer.Ordinal);
        Terms = [];
        TermBytes = [];
        DocFreq = [];
        TitleLength = SectionLength = BodyLength = [];
        IsPassage = [];
        FileOf = [];
        AverageTitle = AverageSection = AverageBody = 1;
    }

    /// <summary>Takes over one reference of <paramref name="searcher"/> acquired from <paramref name="manager"/>.</summary>
    public IndexView(SearcherManager manager, IndexSearcher searcher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(searcher);
        _manager = manager;
        _searcher = searcher;
        var reader = searcher.IndexReader;
        var data = reader is DirectoryReader dr ? dr.IndexCommit.UserData : new Dictionary<string, string>();
        BuildId = data.TryGetValue(IndexFields.BuildIdKey, out var b) ? b : "empty";
        BuiltAt = data.TryGetValue(IndexFields.BuiltAtKey, out var t) && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue;
        Leaves = reader.Leaves.ToArray();
        MaxDoc = reader.MaxDoc;

        Documents = IndexRecords.Read(reader)
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .Select(r => new IndexedDocument(
                r.Path,
                r.Metadata.Title,
                Shared(r.Metadata.Source),
                Shared(r.Metadata.Authors),
                r.Metadata.Published,
                Shared(r.Metadata.Kind),
                Shared(r.Metadata.Jurisdictions),
                Shared(r.Metadata.Topics),
                DateTimeOffset.TryParse(r.IndexedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ia) ? ia : BuiltAt,
                r.PassageCount)
            {
                ContentHash = r.Hash,
                MainSource = r.Metadata.MainSource,
            })
            .ToArray();

        // The term dictionary: one pass over the merged terms of the `all` field.
        var termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var terms = new List<string>();
        var bytes = new List<byte[]>();
        var df = new List<int>();
        var all = MultiFields.GetTerms(reader, IndexFields.All);
        if (all is not null)
        {
            var te = all.GetEnumerator();
            while (te.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var term = te.Term;
                var s = term.Utf8ToString();
                termIds[s] = terms.Count;
                terms.Add(s);
                var copy = new byte[term.Length];
                Array.Copy(term.Bytes, term.Offset, copy, 0, term.Length);
                bytes.Add(copy);
                df.Add(te.DocFreq);
            }
        }

        TermIds = termIds;
        Terms = terms.ToArray();
        TermBytes = bytes.ToArray();
        DocFreq = df.ToArray();

        // Exact field lengths (the norms of the BM25F fields) and which documents are live passages.
        TitleLength = new int[MaxDoc];
        SectionLength = new int[MaxDoc];
        BodyLength = new int[MaxDoc];
        IsPassage = new bool[MaxDoc];
        long tSum = 0, sSum = 0, bSum = 0;
        var passages = 0;
        foreach (var leaf in Leaves)
        {
            var atomic = leaf.AtomicReader;
            var live = atomic.LiveDocs;
            var allNorms = atomic.GetNormValues(IndexFields.All);
            var tn = atomic.GetNormValues(IndexFields.Title);
            var sn = atomic.GetNormValues(IndexFields.Section);
            var bn = atomic.GetNormValues(IndexFields.Body);
            if (allNorms is null)
            {
                continue;
            }

            // A passage is a live document with the `all` field (a record has none, so its norm is 0).
            for (var d = 0; d < atomic.MaxDoc; d++)
            {
                if (allNorms.Get(d) == 0 || (live is not null && !live.Get(d)))
                {
                    continue;
                }

                var g = leaf.DocBase + d;
                IsPassage[g] = true;
                TitleLength[g] = tn is null ? 0 : (int)tn.Get(d);
                SectionLength[g] = sn is null ? 0 : (int)sn.Get(d);
                BodyLength[g] = bn is null ? 0 : (int)bn.Get(d);
                tSum += TitleLength[g];
                sSum += SectionLength[g];
                bSum += BodyLength[g];
                passages++;
            }

        }

        PassageCount = passages;
        FileOf = FilesOf(Leaves, MaxDoc);
        var n = Math.Max(1, passages);
        AverageTitle = Math.Max(1, (double)tSum / n);
        AverageSection = Math.Max(1, (double)sSum / n);
        AverageBody = Math.Max(1, (double)bSum / n);
    }

    public static IndexView Empty { get; } = new();

    /// <summary>The catalog holds one entry per file (100k at the bench's scale): empty lists and values that repeat (kinds, "") share one instance.</summary>
    private static IReadOnlyList<string> Shared(IReadOnlyList<string> values) => values.Count == 0 ? [] : values;

    private static string Shared(string value) => value.Length == 0 ? "" : value.Length <= 16 ? string.Intern(value) : value;

    public string BuildId { get; }

    public DateTimeOffset BuiltAt { get; }

    public IReadOnlyList<IndexedDocument> Documents { get; }

    /// <summary>Live passages (the N of IDF).</summary>
    public int PassageCount { get; }

    /// <summary>Size of the passage id space (Lucene's maxDoc; records and deleted documents included).</summary>
    public int MaxDoc { get; }

    public int TermCount => Terms.Length;

    internal IndexReader? Reader => _searcher?.IndexReader;

    internal IndexSearcher? LuceneSearcher => _searcher;

    internal AtomicReaderContext[] Leaves { get; }

    internal Dictionary<string, int> TermIds { get; }

    internal string[] Terms { get; }

    internal byte[][] TermBytes { get; }

    internal int[] DocFreq { get; }

    internal int[] TitleLength { get; }

    internal int[] SectionLength { get; }

    internal int[] BodyLength { get; }

    internal bool[] IsPassage { get; }

    /// <summary>Which corpus file each document id belongs to (an index into the <c>file</c> terms; -1 for none).</summary>
    internal int[] FileOf { get; }

    /// <summary>
    /// The passage before <paramref name="passage"/> in the same file, or -1. A file's passages are added as one
    /// block in reading order (Lucene keeps a block's order through merges), so it is the previous live passage id
    /// when that one belongs to the same file.
    /// </summary>
    internal int PreviousPassage(int passage)
    {
        var prev = passage - 1;
        return prev >= 0 && passage < MaxDoc && IsPassage[prev] && FileOf[prev] >= 0 && FileOf[prev] == FileOf[passage] ? prev : -1;
    }

    /// <summary>The passage after <paramref name="passage"/> in the same file, or -1.</summary>
    internal int NextPassage(int passage)
    {
        var next = passage + 1;
        return passage >= 0 && next < MaxDoc && IsPassage[next] && FileOf[next] >= 0 && FileOf[next] == FileOf[passage] ? next : -1;
    }

    /// <summary>One pass over the postings of the <c>file</c> key field: each document's file number.</summary>
    private static int[] FilesOf(AtomicReaderContext[] leaves, int maxDoc)
    {
        var fileOf = new int[maxDoc];
        Array.Fill(fileOf, -1);
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        DocsEnum? docs = null;
        foreach (var leaf in leaves)
        {
            var terms = leaf.AtomicReader.GetTerms(IndexFields.File);
            if (terms is null)
            {
                continue;
            }

            var te = terms.GetEnumerator();
            while (te.MoveNext())
            {
                var key = te.Term.Utf8ToString();
                if (!numbers.TryGetValue(key, out var number))
                {
                    number = numbers.Count;
                    numbers[key] = number;
                }

                docs = te.Docs(leaf.AtomicReader.LiveDocs, docs, DocsFlags.NONE);
                int d;
                while ((d = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    fileOf[leaf.DocBase + d] = number;
                }
            }
        }

        return fileOf;
    }

    internal double AverageTitle { get; }

    internal double AverageSection { get; }

    internal double AverageBody { get; }

    internal int DocumentFrequency(int termId) => DocFreq[termId];

    /// <summary>Holds the reader for one question; false when it was closed by a reload meanwhile (take the new view).</summary>
    public bool TryAcquire() => _searcher is null || _searcher.IndexReader.TryIncRef();

    public void Release()
    {
        _searcher?.IndexReader.DecRef();
    }

    /// <summary>Gives back the reference this view was created with (after it has been replaced).</summary>
    internal void Retire()
    {
        if (_manager is not null && _searcher is not null)
        {
            _manager.Release(_searcher);
        }
    }

    /// <summary>Passages read from stored fields stay at hand while this many or fewer are (an answer reads each of its candidates several times).</summary>
    private const int MaxCachedPassages = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, PassageInfo> _passages = new();

    /// <summary>The stored passage: text, heading path, offsets and its file's front matter.</summary>
    public PassageInfo Passage(int passage)
    {
        if (_passages.TryGetValue(passage, out var cached))
        {
            return cached;
        }

        var info = ReadPassage(passage);
        if (_passages.Count < MaxCachedPassages)
        {
            _passages.TryAdd(passage, info);
        }

        return info;
    }

    private PassageInfo ReadPassage(int passage)
    {
        var reader = Reader ?? throw new ArgumentOutOfRangeException(nameof(passage), "the index is empty");
        if (passage < 0 || passage >= reader.MaxDoc)
        {
            throw new ArgumentOutOfRangeException(nameof(passage), passage, "no such passage in this index version");
        }

        var doc = reader.Document(passage);
        return new PassageInfo(
            passage,
            doc.Get(IndexFields.Path) ?? "",
            doc.GetField(IndexFields.Ordinal)?.GetInt32Value() ?? 0,
            doc.Get(IndexFields.TitleText) ?? "",
            doc.Get(IndexFields.SectionText) ?? "",
            doc.Get(IndexFields.Text) ?? "",
            doc.GetField(IndexFields.Start)?.GetInt32Value() ?? 0,
            doc.GetField(IndexFields.Length)?.GetInt32Value() ?? 0,
            new DocumentFrontMatter(
                doc.Get(IndexFields.Source) ?? "",
                IndexRecords.List(doc.Get(IndexFields.Authors)),
                doc.Get(IndexFields.Published),
                doc.Get(IndexFields.Kind) ?? DocumentKinds.Note,
                IndexRecords.List(doc.Get(IndexFields.Jurisdictions)),
                IndexRecords.List(doc.Get(IndexFields.Topics)))
            {
                MainSource = IndexRecords.MainSource(doc.Get(IndexFields.MainSource)),
            });
    }

    /// <summary>Looks a term up by its UTF-8 bytes without allocating (term vectors give bytes).</summary>
    internal int TermId(BytesRef term, Span<char> buffer)
    {
        var chars = Encoding.UTF8.GetChars(term.Bytes.AsSpan(term.Offset, term.Length), buffer);
        return TermIds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(buffer[..chars], out var id) ? id : -1;
    }
}
