namespace PolicyBot.Core.Retrieval;

/// <summary>A searched term: its id in the snapshot (-1 when the corpus lacks it) and its weight.</summary>
/// <param name="Concept">Index of the question word this term stands for (a synonym or correction shares it); -1 for feedback terms.</param>
internal sealed record QueryTerm(string Term, int TermId, double Weight, double Idf, int Concept, QueryTermOrigin Origin);

internal enum QueryTermOrigin
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
    internal ParsedQuery(string text, List<QueryTerm> terms, double[] conceptIdf, string[] conceptWords, string? emptyReason)
    {
        Text = text;
        Terms = terms;
        ConceptIdf = conceptIdf;
        ConceptWords = conceptWords;
        EmptyReason = emptyReason;
    }

    public string Text { get; }

    internal List<QueryTerm> Terms { get; }

    /// <summary>IDF of each concept (question word) — unknown words get the highest IDF, so missing them weighs.</summary>
    internal double[] ConceptIdf { get; }

    /// <summary>The question words, for explanations.</summary>
    public IReadOnlyList<string> ConceptWords { get; }

    /// <summary>Why there is nothing to search for (null when there is).</summary>
    public string? EmptyReason { get; }

    public bool IsEmpty => EmptyReason is not null;

    /// <summary>Terms the question used that the corpus does not contain at all.</summary>
    public IEnumerable<string> UnknownWords => Terms.Where(t => t.TermId < 0 && t.Origin == QueryTermOrigin.Question).Select(t => ConceptWords[t.Concept]);
}

/// <summary>A scored passage.</summary>
public readonly record struct SearchHit(int Passage, double Score);
