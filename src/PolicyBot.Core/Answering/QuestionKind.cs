using System.Text.RegularExpressions;

namespace PolicyBot.Core.Answering;

/// <summary>What sort of answer a question asks for; it decides which sentences answer it.</summary>
public enum QuestionKind
{
    /// <summary>A definition or a general "what is / what does" question.</summary>
    General,

    /// <summary>A person or an organisation.</summary>
    Who,

    /// <summary>A date or a deadline.</summary>
    When,

    /// <summary>A number with its unit: how many, how much, how big.</summary>
    Quantity,

    /// <summary>Reasons.</summary>
    Why,

    /// <summary>Recommendations or steps: how should, what should, what first.</summary>
    Recommendation,

    /// <summary>The items themselves: a checklist, the steps, the principles.</summary>
    List,

    /// <summary>Two or more things set side by side.</summary>
    Comparison,
}

/// <summary>Detects the <see cref="QuestionKind"/> of an English question (a Chinese one is detected on its glossary mapping).</summary>
public static partial class QuestionKinds
{
    public static QuestionKind Detect(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var q = question.ToLowerInvariant();
        if (ListWords().IsMatch(q))
        {
            return QuestionKind.List;
        }

        if (CompareWords().IsMatch(q))
        {
            return QuestionKind.Comparison;
        }

        if (QuantityWords().IsMatch(q))
        {
            return QuestionKind.Quantity;
        }

        if (WhenWords().IsMatch(q))
        {
            return QuestionKind.When;
        }

        if (WhyWords().IsMatch(q))
        {
            return QuestionKind.Why;
        }

        if (RecommendWords().IsMatch(q))
        {
            return QuestionKind.Recommendation;
        }

        return WhoWords().IsMatch(q) ? QuestionKind.Who : QuestionKind.General;
    }

    /// <summary>Whether a question word only asks for a comparison ("differ", "versus", "compared").</summary>
    public static bool IsComparisonWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return CompareWords().IsMatch(word.ToLowerInvariant());
    }

    /// <summary>
    /// The subject of a definition question ("What is the EU AI Act?" → "the EU AI Act", "What are GPAI models?"),
    /// or null when the question asks something else about it.
    /// </summary>
    public static string? DefinitionSubject(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var m = Definition().Match(question.Trim());
        if (m.Success)
        {
            return m.Groups[1].Value.Trim();
        }

        // A Chinese question mapped through the glossary keeps its order and drops 是: "什么是X" → "what X", "X是什么" → "X what".
        m = MappedDefinition().Match(question.Trim());
        return m.Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value.Trim() : m.Success ? m.Groups[2].Value.Trim() : null;
    }

    [GeneratedRegex(@"^(?:what|who)(?:'s| is| are| was| were) ((?:\S+ ){0,7}?\S+?)\s*\?*$", RegexOptions.IgnoreCase)]
    private static partial Regex Definition();

    [GeneratedRegex(@"^(?:what ((?:[A-Z]\S* ){0,7}[A-Z]\S*)|((?:\S+ ){0,7}\S+) what)$")]
    private static partial Regex MappedDefinition();

    [GeneratedRegex(@"\b(list|checklist|enumerate)\b|\bwhat are the (\w+ ){0,3}(steps|items|principles|risks|characteristics|dimensions|areas|functions|tiers|ways|signals|criteria|obligations|duties|requirements|practices|values|members|levels)\b|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (\w+ ){0,2}(steps|items|principles|risks|characteristics|dimensions|areas|functions|tiers|ways|signals|criteria|values|levels|benefits)\b")]
    private static partial Regex ListWords();

    [GeneratedRegex(@"\b(compare|compared|comparison|versus|vs\.?|differ|differs|different|difference|differences|distinguish|contrast)\b")]
    private static partial Regex CompareWords();

    [GeneratedRegex(@"\bhow (many|much|big|large|high|fast)\b|\b(what|which) (budget|amount|size|sum|share|percentage|number|figure|threshold)\b|\b(fund|budget|fine|fines)\b.*\b(size|amount|maximum|how)\b|\bmaximum fine\b|\bmoney\b")]
    private static partial Regex QuantityWords();

    [GeneratedRegex(@"\bwhen\b|\bwhat (date|day|month|year|time)\b|\bwhich (date|year|month)\b|\bdeadlines?\b|\bhow long until\b|\bby when\b")]
    private static partial Regex WhenWords();

    [GeneratedRegex(@"\bwhy\b|\bwhat (explains|is the reason|are the reasons|makes)\b|\breasons?\b|\bfor what purpose\b")]
    private static partial Regex WhyWords();

    [GeneratedRegex(@"\b(how|what) (should|must|can|could|do|does) (i|we|my|our|a|an|the|companies|executives|firms|organisations|organizations|buyers)\b|\b(should|must) (i|we|my|our)\b|\bwhat should\b|\bhow should\b|\bhow to\b|\bfirst steps?\b|\bdo first\b|\bwhat to do\b|\brecommend")]
    private static partial Regex RecommendWords();

    [GeneratedRegex(@"\bwho\b|\bwhose\b|\bwhich (company|companies|firm|firms|organisation|organisations|organization|organizations|body|bodies|agency|agencies|person|people|regulator|ministry|authority|watchdog)\b")]
    private static partial Regex WhoWords();
}
