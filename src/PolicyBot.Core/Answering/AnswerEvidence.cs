using PolicyBot.Core.Language;

namespace PolicyBot.Core.Answering;

/// <summary>
/// What the answer path knows beside the lexical ranking: the question's mapping onto English (for a Chinese
/// question) and the semantic stage's similarity of each passage it ranked (cosine, -1–1).
/// </summary>
public sealed record AnswerEvidence
{
    public static AnswerEvidence None { get; } = new();

    /// <summary>The glossary mapping of a Chinese question (null for an English one).</summary>
    public TranslatedQuestion? Translation { get; init; }

    /// <summary>Cosine similarity of the question to each passage the semantic stage ranked, by passage id; empty when the stage is off.</summary>
    public IReadOnlyDictionary<int, double> Semantic { get; init; } = new Dictionary<int, double>();

    /// <summary>The passages in the semantic stage's own order, best first (empty when it is off).</summary>
    public IReadOnlyList<int> SemanticOrder { get; init; } = [];

    public bool HasSemantic => SemanticOrder.Count > 0;

    public bool IsChinese => Translation?.IsChinese == true;

    /// <summary>Best semantic similarity of any passage, or null when the stage is off.</summary>
    public double? BestSimilarity => HasSemantic ? Semantic[SemanticOrder[0]] : null;

    public double Similarity(int passage) => Semantic.TryGetValue(passage, out var s) ? s : 0;
}
