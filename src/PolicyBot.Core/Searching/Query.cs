namespace PolicyBot.Core.Searching;

/// <summary>A searched term: its analysed form, whether the corpus has it, and its weight.</summary>
/// <param name="Term">The analysed term, as the index holds it.</param>
/// <param name="TermId">The searcher's id for the term (-1 when the corpus lacks it); meaningful only to the searcher that parsed it.</param>
/// <param name="Concept">Index of the question word this term stands for (a synonym or correction shares it); -1 for feedback terms.</param>
public sealed record QueryTerm(string Term, int TermId, double Weight, double Idf, int Concept, QueryTermOrigin Origin)
{
    /// <summary>Whether any passage of the corpus contains the term.</summary>
    public bool IsKnown => TermId >= 0;

    /// <summary>A synonym that is a whole one-word name of the group ("funding" for "fund"): scored as the same term as the question word.</summary>
    public bool SameTerm { get; init; }
}

public enum QueryTermOrigin
{
    Question,
    Synonym,
    Correction,
    Feedback,

    /// <summary>A word of the previous question in a thread: context for a follow-up, at half weight, not required.</summary>
    Context,
}

/// <summary>A parsed question: its terms, the concepts (question words) they stand for, and their IDF mass.</summary>
public sealed class ParsedQuery
{
    public ParsedQuery(string text, IReadOnlyList<QueryTerm> terms, IReadOnlyList<double> conceptIdf, IReadOnlyList<string> conceptWords, string? emptyReason)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(conceptIdf);
        ArgumentNullException.ThrowIfNull(conceptWords);
        Text = text;
        Terms = terms;
        ConceptIdf = conceptIdf;
        ConceptWords = conceptWords;
        EmptyReason = emptyReason;
    }

    public string Text { get; }

    public IReadOnlyList<QueryTerm> Terms { get; }

    /// <summary>IDF of each concept (question word) — unknown words get the highest IDF, so missing them weighs.</summary>
    public IReadOnlyList<double> ConceptIdf { get; }

    /// <summary>The question words, for explanations.</summary>
    public IReadOnlyList<string> ConceptWords { get; }

    /// <summary>Why there is nothing to search for (null when there is).</summary>
    public string? EmptyReason { get; }

    public bool IsEmpty => EmptyReason is not null;

    /// <summary>Terms the question used that the corpus does not contain at all.</summary>
    public IEnumerable<string> UnknownWords => Terms.Where(t => !t.IsKnown && t.Origin == QueryTermOrigin.Question).Select(t => ConceptWords[t.Concept]);
}

/// <summary>A scored passage, by the searcher's passage id.</summary>
public readonly record struct SearchHit(int Passage, double Score);
