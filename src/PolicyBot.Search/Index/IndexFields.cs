using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;

namespace PolicyBot.Search.Index;

/// <summary>
/// The Lucene document layout. One document per passage (the searched fields, exact field lengths as norms, and
/// what a citation needs, stored) and one record per corpus file (its content hash and front matter, for the
/// incremental sync and the catalog). Both carry the file's absolute path in <see cref="File"/>, so deleting a
/// file's term removes every trace of it.
/// </summary>
internal static class IndexFields
{
    /// <summary>Absolute path of the corpus file (StringField, every document): the delete key.</summary>
    public const string File = "file";

    /// <summary>Absolute path on the file's record only (StringField): the update key for a touch.</summary>
    public const string Record = "record";

    /// <summary>The record itself (its <c>StoredRecord</c> as JSON), a binary doc value of the record document.</summary>
    public const string RecordData = "record_data";

    // Searched fields of a passage (analysed, not stored).
    public const string Title = "title";
    public const string Section = "section";
    public const string Body = "body";

    /// <summary>Title, section and body together: the term dictionary, document frequencies, spelling, and stock BM25.</summary>
    public const string All = "all";

    // Stored fields.
    public const string Path = "path";
    public const string TitleText = "title_text";
    public const string SectionText = "section_text";
    public const string Text = "text";
    public const string Ordinal = "ordinal";
    public const string Start = "start";
    public const string Length = "length";
    public const string Source = "source";
    public const string Authors = "authors";
    public const string Published = "published";
    public const string Kind = "kind";
    public const string Jurisdictions = "jurisdictions";
    public const string Topics = "topics";

    /// <summary>The main source's structured citation fields (JSON of <c>SourceReference</c>), when the document has one.</summary>
    public const string MainSource = "main_source";
    public const string Hash = "hash";
    public const string Size = "size";
    public const string Mtime = "mtime";
    public const string IndexedAt = "indexed_at";

    /// <summary>UTC ticks at the start of the sync that last read the file's content (the racy-file rule of <c>LuceneIndex.Sync</c>).</summary>
    public const string Checked = "checked";
    public const string Passages = "passages";

    // Commit user data.
    public const string BuildIdKey = "build_id";
    public const string BuiltAtKey = "built_at";
    public const string SchemaKey = "schema";
    /// <summary>Changes whenever the analysis or the document layout does: an index of another schema is rebuilt.</summary>
    public const string SchemaVersion = "policybot-lucene-3";

    /// <summary>Title and section: term frequencies, no positions (nothing needs them).</summary>
    public static FieldType Short { get; } = Frozen(new FieldType(TextField.TYPE_NOT_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS });

    /// <summary>Body: term frequencies plus a term vector per passage (pseudo-relevance feedback reads the top passages' terms).</summary>
    public static FieldType BodyType { get; } = Frozen(new FieldType(TextField.TYPE_NOT_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS, StoreTermVectors = true });

    public static FieldType AllType { get; } = Frozen(new FieldType(TextField.TYPE_NOT_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS });

    private static FieldType Frozen(FieldType type)
    {
        type.Freeze();
        return type;
    }

    /// <summary>
    /// Index-time similarity: the BM25F fields keep their exact token count as the norm (Lucene 4's norms hold any
    /// long; its own 1-byte encoding would round lengths by up to 25%, which BM25F's length normalisation feels),
    /// and <see cref="All"/> keeps stock BM25's encoding so <c>lucene-bm25</c> can score it with Lucene's own similarity.
    /// </summary>
    public static Similarity IndexSimilarity { get; } = new FieldSimilarity();

    private sealed class FieldSimilarity : PerFieldSimilarityWrapper
    {
        private readonly Similarity _stock = new BM25Similarity();
        private readonly Similarity _exact = new ExactLengthSimilarity();

        public override Similarity Get(string name) => name == All ? _stock : _exact;
    }

    /// <summary>Only its norm is used: the BM25F fields are scored by <c>Retrieval.Searcher</c>, never by a Lucene query.</summary>
    private sealed class ExactLengthSimilarity : Similarity
    {
        public override long ComputeNorm(FieldInvertState state) => state.Length;

        public override SimWeight ComputeWeight(float queryBoost, Lucene.Net.Search.CollectionStatistics collectionStats, params Lucene.Net.Search.TermStatistics[] termStats)
            => throw new NotSupportedException("BM25F fields are scored by PolicyBot's searcher, not by a Lucene query.");

        public override SimScorer GetSimScorer(SimWeight weight, AtomicReaderContext context)
            => throw new NotSupportedException("BM25F fields are scored by PolicyBot's searcher, not by a Lucene query.");
    }
}
