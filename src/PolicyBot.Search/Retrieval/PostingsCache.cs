namespace PolicyBot.Search.Retrieval;

/// <summary>
/// What the searcher keeps at hand for one index version, filled on first use and bounded: per term, its
/// BM25F postings merged over title, heading and body as flat (passage, frequency) arrays; per passage, its body
/// term vector as (term id, frequency) pairs. Lucene's postings and vectors stay the source: this holds only the
/// terms and passages questions have touched, up to a fixed number of entries, so an index of any size keeps a
/// bounded heap (past the budget the searcher reads Lucene directly). Written once per key, read without locks.
/// Hand-written because Lucene.Net 4.8 has no cache of decoded postings (its query cache holds document sets,
/// not frequencies) and none of term vectors.
/// </summary>
internal sealed class PostingsCache(int terms, int passages, bool coversAllField)
{
    /// <summary>Postings kept over all terms: 2 M (16 MB of passage ids and frequencies; every term of a 10k-passage index).</summary>
    public const long MaxImpacts = 2L << 20;

    /// <summary>Term-vector entries kept over all passages: 1 M pairs (8 MB; the vectors of ~15k passages).</summary>
    public const long MaxForward = 1L << 20;

    private readonly ImpactList?[] _impacts = new ImpactList?[terms];
    private readonly int[]?[] _forward = new int[]?[passages];
    private long _impactCount;
    private long _forwardCount;

    /// <summary>One term's postings: passages ascending, with their field-weighted, length-normalised frequencies.</summary>
    public sealed class ImpactList(int[] docs, float[] tf)
    {
        public int[] Docs { get; } = docs;

        public float[] Tf { get; } = tf;
    }

    /// <summary>True when every BM25F field weighs (&gt; 0): a term's merged postings then list exactly the passages that contain it.</summary>
    public bool CoversAllField { get; } = coversAllField;

    public bool HasRoomForImpacts => Volatile.Read(ref _impactCount) < MaxImpacts;

    public ImpactList? Impacts(int termId) => Volatile.Read(ref _impacts[termId]);

    /// <summary>Keeps the list (the first one stored wins when two threads read the same term) and returns the kept one.</summary>
    public ImpactList AddImpacts(int termId, ImpactList list)
    {
        Interlocked.Add(ref _impactCount, list.Docs.Length);
        return Interlocked.CompareExchange(ref _impacts[termId], list, null) ?? list;
    }

    public int[]? Forward(int passage) => Volatile.Read(ref _forward[passage]);

    /// <summary>Keeps the pairs while the budget lasts; returns them either way.</summary>
    public int[] AddForward(int passage, int[] pairs)
    {
        if (Volatile.Read(ref _forwardCount) < MaxForward)
        {
            Interlocked.Add(ref _forwardCount, pairs.Length / 2);
            return Interlocked.CompareExchange(ref _forward[passage], pairs, null) ?? pairs;
        }

        return pairs;
    }
}
