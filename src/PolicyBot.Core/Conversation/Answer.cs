namespace PolicyBot.Core.Conversation;

/// <summary>What happened to a question.</summary>
public enum AnswerOutcome
{
    /// <summary>Extracts with citations were found.</summary>
    Answered,

    /// <summary>The corpus does not hold the answer (or the question had nothing to search for).</summary>
    Abstained,

    /// <summary>The question was refused before searching (rate limit, too long, queue full).</summary>
    Refused,
}

/// <summary>How much of the question the cited passages are measured to cover.</summary>
public enum AnswerConfidence
{
    /// <summary>The corpus only partly covers the question; the answer text says so in words.</summary>
    Low,

    Medium,

    High,
}

/// <summary>
/// An extractive answer: every sentence of <see cref="Text"/> is a verbatim extract from a cited passage,
/// followed by its marker <c>[n]</c> where n is the citation's <see cref="Citation.Rank"/>.
/// </summary>
public sealed record Answer
{
    /// <summary>Unique id of this answer, used to link feedback to it.</summary>
    public required string Id { get; init; }

    public required string Question { get; init; }

    public required AnswerOutcome Outcome { get; init; }

    public bool Answered => Outcome == AnswerOutcome.Answered;

    /// <summary>Answer text with [n] markers when answered; the abstention or refusal message otherwise.</summary>
    public required string Text { get; init; }

    /// <summary>Best first; ranks are 1..n and match the markers in <see cref="Text"/>.</summary>
    public IReadOnlyList<Citation> Citations { get; init; } = [];

    /// <summary>
    /// For an answer: how well the evidence covers the question (coverage of the question's information by the best
    /// passage, agreement of the lexical and semantic rankings, the best passage's score margin). Null when the bot
    /// abstained or refused.
    /// </summary>
    public AnswerConfidence? Confidence { get; init; }

    /// <summary>Why the bot abstained or refused (null when answered).</summary>
    public string? Reason { get; init; }

    /// <summary>Topics or document titles the corpus does cover, offered when abstaining.</summary>
    public IReadOnlyList<string> SuggestedTopics { get; init; } = [];

    /// <summary>Index build id (plus git commit when the corpus is a checkout).</summary>
    public string CorpusVersion { get; init; } = "";

    public TimeSpan Elapsed { get; init; }
}

/// <summary>One cited passage.</summary>
/// <param name="Rank">The n in the [n] marker, 1-based, best first.</param>
/// <param name="Title">Document title.</param>
/// <param name="Section">Heading path inside the document ("Hosting › Hong Kong"), empty at top level.</param>
/// <param name="Source">The document's source as given in its front matter (URL or citation text).</param>
/// <param name="Passage">The passage text, exactly as it stands in the document at its offsets.</param>
/// <param name="Score">Retrieval score, higher is better.</param>
/// <param name="PassageId">Stable passage id ("path#index").</param>
/// <param name="DocumentPath">Corpus-relative path of the document.</param>
public sealed record Citation(
    int Rank,
    string Title,
    string Section,
    string Source,
    string Passage,
    double Score,
    string PassageId,
    string DocumentPath)
{
    /// <summary>The link to show: the main source's URL, else the source field when it is an absolute http(s) URL.</summary>
    public Uri? SourceUrl => Reference?.Url ?? SourceReference.HttpUrl(Source);

    /// <summary>Publication or as-of date of the document, when known (yyyy, yyyy-MM or yyyy-MM-dd).</summary>
    public string? Published { get; init; }

    /// <summary>The document's main source as structured fields, when its front matter lists one.</summary>
    public SourceReference? Reference { get; init; }

    /// <summary>The document's jurisdiction codes ("EU", "CN"), from its front matter.</summary>
    public IReadOnlyList<string> Jurisdictions { get; init; } = [];

    /// <summary>The document's topic slugs ("eu-ai-act"), from its front matter.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>The one line users see for this citation's source ("South China Morning Post · Futterer &amp; Sheng · opinion · Sept 2025").</summary>
    public string SourceLineText => Reference is not null ? SourceLine.Compose(Reference)
        : SourceDate.TryParse(Published, out var date) ? date.ToDisplay() : "";
}
