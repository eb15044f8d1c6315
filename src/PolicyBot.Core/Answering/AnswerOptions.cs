namespace PolicyBot.Core.Answering;

/// <summary>How answers are composed and when the bot abstains.</summary>
public sealed record AnswerOptions
{
    /// <summary>
    /// Abstain when the best passage covers less than this share of the question's IDF mass (0–1). Words the
    /// corpus lacks weigh most, so "What is the capital of Peru?" falls short while a paraphrase still clears it.
    /// </summary>
    public double AbstainBelow { get; init; } = 0.5;

    /// <summary>At most this many sentences in an answer (1–4); an inline list counts as one.</summary>
    public int MaxSentences { get; init; } = 3;

    /// <summary>
    /// With the semantic stage on, a question whose words the best passage covers less than <see cref="AbstainBelow"/>
    /// is still answered when its similarity to that passage reaches this cosine and the coverage reaches
    /// <see cref="SemanticMinCoverage"/> (a paraphrase: "budget" for "fund").
    /// </summary>
    public double SemanticAnswerAbove { get; init; } = 0.45;

    /// <summary>The least lexical coverage a semantic rescue accepts (0–1).</summary>
    public double SemanticMinCoverage { get; init; } = 0.15;

    /// <summary>Confidence is high from this coverage up (when the rankings agree) and low below <see cref="LowConfidenceBelow"/>.</summary>
    public double HighConfidenceFrom { get; init; } = 0.8;

    public double LowConfidenceBelow { get; init; } = 0.6;

    /// <summary>A further sentence must score at least this share of the best one.</summary>
    public double SentenceKeepRatio { get; init; } = 0.6;

    /// <summary>A passage is cited only when it scores at least this share of the best passage.</summary>
    public double CitationKeepRatio { get; init; } = 0.35;

    /// <summary>Longer questions are refused with a reason.</summary>
    public int MaxQuestionLength { get; init; } = 2000;

    public static AnswerOptions Default { get; } = new();
}
