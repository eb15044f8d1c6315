namespace PolicyBot.Core.Searching;

/// <summary>
/// The search core as the answer composer and evaluation see it: one consistent view of one index version
/// (take it once per question and use it throughout). Passage ids are meaningful only to the searcher that
/// returned them. Implementations are thread-safe.
/// </summary>
public interface ISearcher
{
    /// <summary>Analyses the question (stop and question words removed, synonyms, spelling) and ranks passages, best first.</summary>
    SearchResult Search(string question, SearchOptions options);

    /// <summary>Analyses and ranks an already parsed query (for explanations and evaluation).</summary>
    IReadOnlyList<SearchHit> Search(ParsedQuery query, int top);

    /// <summary>A passage's text, title, heading path, offsets and its document's front matter.</summary>
    PassageInfo Passage(int passage);

    /// <summary>Number of passages in the index (the N of IDF).</summary>
    int PassageCount { get; }

    /// <summary>Number of passages containing an analysed term (as <see cref="Analyze"/> or <see cref="QueryTerm.Term"/> gives it); 0 when unknown.</summary>
    int DocumentFrequency(string analysedTerm);

    /// <summary>The analysed terms of a text (index-time analysis, no stop-word removal), in order.</summary>
    IReadOnlyList<string> Analyze(string text);

    /// <summary>Which of the query's concepts a passage contains and the share of the query's IDF mass that makes (the abstention signal).</summary>
    PassageCoverage Coverage(ParsedQuery query, int passage);

    /// <summary>Titles of the indexed documents in corpus order (for "closest topics" when a search finds little).</summary>
    IReadOnlyList<string> DocumentTitles { get; }

    /// <summary>Per-term contributions to a passage's score: why it ranked where it did.</summary>
    IReadOnlyList<TermContribution> Explain(ParsedQuery query, int passage);

    /// <summary>The passage after <paramref name="passage"/> in the same document, or -1 (its context continues there).</summary>
    int NextPassage(int passage) => -1;

    /// <summary>The passage before <paramref name="passage"/> in the same document, or -1.</summary>
    int PreviousPassage(int passage) => -1;
}

/// <summary>How to search.</summary>
public sealed record SearchOptions
{
    /// <summary>How many passages to return at most.</summary>
    public int Top { get; init; } = 10;

    /// <summary>The previous question in a thread, used as context for a follow-up (lower weight, not required).</summary>
    public string? Context { get; init; }
}

/// <summary>The parsed question and its ranked passages.</summary>
public sealed record SearchResult(ParsedQuery Query, IReadOnlyList<SearchHit> Hits);

/// <summary>A passage as cited: its text is <c>document text[Start..Start+Length]</c> exactly.</summary>
public sealed record PassageInfo(
    int Id,
    string DocumentPath,
    int Ordinal,
    string Title,
    string Section,
    string Text,
    int Start,
    int Length,
    DocumentFrontMatter FrontMatter);

/// <summary>A document's front matter, as indexed.</summary>
public sealed record DocumentFrontMatter(
    string Source,
    IReadOnlyList<string> Authors,
    string? Published,
    string Kind,
    IReadOnlyList<string> Jurisdictions,
    IReadOnlyList<string> Topics)
{
    /// <summary>The document's main source (its first <c>sources</c> entry) as structured citation fields, when it has one.</summary>
    public Conversation.SourceReference? MainSource { get; init; }
}

/// <summary>Which concepts (question words) a passage covers, and the IDF-weighted share they make (0–1).</summary>
public sealed record PassageCoverage(IReadOnlyList<bool> Covered, double Share);

/// <summary>One query term's part of a passage's score.</summary>
public readonly record struct TermContribution(string Term, double Contribution);
