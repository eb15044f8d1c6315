namespace PolicyBot.Core.Conversation;

/// <summary>The whole answer path: analysis, retrieval, sentence selection, citations.</summary>
public interface IQuestionAnswerer
{
    /// <summary>Never throws for bad question text: it answers, abstains or refuses with a reason.</summary>
    Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken);
}

/// <summary>What the corpus holds, for /sources, autocomplete and /about.</summary>
public interface ICorpusCatalog
{
    IReadOnlyList<CorpusDocumentInfo> Documents { get; }

    /// <summary>Index build id (plus git commit when the corpus is a checkout).</summary>
    string CorpusVersion { get; }

    /// <summary>When the index was last built or refreshed.</summary>
    DateTimeOffset LastIndexed { get; }

    /// <summary>Up to <paramref name="limit"/> titles and topics that start with or contain <paramref name="prefix"/>.</summary>
    IReadOnlyList<string> Suggest(string prefix, int limit);
}

public sealed record CorpusDocumentInfo(
    string Path,
    string Title,
    string Kind,
    string Source,
    string? Published,
    IReadOnlyList<string> Jurisdictions,
    IReadOnlyList<string> Topics,
    int Passages,
    DateTimeOffset LastIndexed)
{
    /// <summary>SHA-256 of the file's content as indexed (hex): one value per document version.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>The document's main source as structured citation fields, when known.</summary>
    public SourceReference? MainSource { get; init; }
}

public enum FeedbackReaction
{
    Positive,
    Negative,
}

/// <summary>👍/👎 (and optional text) on an answer.</summary>
public sealed record Feedback(
    string AnswerId,
    string Platform,
    string? UserId,
    FeedbackReaction Reaction,
    string? Comment,
    DateTimeOffset At);

/// <summary>Where adapters send feedback. The ops store persists it; it may be a no-op in a CLI.</summary>
public interface IFeedbackSink
{
    Task RecordAsync(Feedback feedback, CancellationToken cancellationToken);
}
