using PolicyBot.Core.Text;

namespace PolicyBot.Search.Analysis;

/// <summary><see cref="IQuestionTerms"/> over the search core's own analysis (the stems the index and the queries use).</summary>
public sealed class QuestionTerms : IQuestionTerms
{
    /// <summary>How many terms a key keeps.</summary>
    public const int MaxTerms = 4;

    /// <summary>The key of a question with no word left after analysis.</summary>
    public const string NoSearchableWords = "(no searchable words)";

    private QuestionTerms()
    {
    }

    public static QuestionTerms Default { get; } = new();

    public string MainTerms(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var surface = new List<string>();
        var tokens = TextAnalyzer.Default.Analyze(QuestionText.Clean(question), surface);
        var terms = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count && terms.Count < MaxTerms; i++)
        {
            if (!TextAnalyzer.IsStopWord(surface[i]) && tokens[i].Term.Length > 1)
            {
                terms.Add(tokens[i].Term);
            }
        }

        return terms.Count == 0 ? NoSearchableWords : string.Join(' ', terms);
    }
}
