namespace PolicyBot.Core.Text;

/// <summary>
/// The main terms of a question — the analysed words without stop words, up to four, sorted — the key the coverage-gap
/// grouping uses ("What is the capital of Peru?" and "Peru's capital?" share "capit peru"). Computed once, when the
/// question is recorded, and stored with its audit record, so the dashboard groups in the database.
/// </summary>
public interface IQuestionTerms
{
    /// <summary>The key of <paramref name="question"/>; "(no searchable words)" when nothing is left.</summary>
    string MainTerms(string question);
}
