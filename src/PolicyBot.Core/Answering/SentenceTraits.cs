using System.Text.RegularExpressions;

namespace PolicyBot.Core.Answering;

/// <summary>What a candidate sentence looks like, for choosing the sentences that answer a question's kind.</summary>
public static partial class SentenceTraits
{
    /// <summary>How well a sentence fits the kind of answer asked for (0 = not at all, 1 = clearly).</summary>
    public static double Fit(QuestionKind kind, string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return kind switch
        {
            QuestionKind.When => DateLike().IsMatch(sentence) ? 1 : 0,
            QuestionKind.Quantity => AmountLike().IsMatch(sentence) ? 1 : NumberLike().IsMatch(sentence) ? 0.5 : 0,
            QuestionKind.Who => NamesTheAgent(sentence) ? 1 : ProposedBy().IsMatch(sentence) && NamedPerson().IsMatch(sentence) ? 0.5 : 0,
            QuestionKind.Why => ReasonLike().IsMatch(sentence) ? 1 : 0,
            QuestionKind.Recommendation => AdviceLike().IsMatch(sentence) ? 1 : Obligation().IsMatch(sentence) && !DateLike().IsMatch(sentence) ? 0.5 : 0,
            QuestionKind.List => Enumeration(sentence) is not null || ListLike().IsMatch(sentence) ? 1 : 0,
            QuestionKind.Comparison => ComparisonLike().IsMatch(sentence) ? 1 : 0,
            _ => 0,
        };
    }

    /// <summary>
    /// A sentence that names who did something: "… was launched in 2022 by the Infocomm Media Development
    /// Authority", "Chinese Premier Li Qiang first proposed …" (the agent of the act, not a name in passing).
    /// </summary>
    public static bool NamesTheAgent(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return AgentBy().IsMatch(sentence) || AgentFirst().IsMatch(sentence);
    }

    /// <summary>
    /// A sentence that defines its subject: "&lt;subject&gt; is/are/means …" within its first words. Returns the
    /// subject (the words before the verb), or null.
    /// </summary>
    public static string? DefinedSubject(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var m = Defines().Match(sentence);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>
    /// A sentence about the note itself or its sources ("This note covers…", "See the note on…", "PolicyBot has not
    /// confirmed…") rather than about the subject: used only when nothing else answers.
    /// </summary>
    public static bool IsAboutTheNote(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return AboutTheNoteMemo.Get(sentence);
    }

    private static readonly PolicyBot.Core.Text.BoundedMemo<bool> AboutTheNoteMemo = new(s => AboutTheNote().IsMatch(s), capacity: 8192);

    /// <summary>A sentence that opens by pointing back ("This…", "It…", "The initiative…", "They…"), so it needs the sentence before it.</summary>
    public static bool NeedsAntecedent(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return PointsBack().IsMatch(sentence);
    }

    /// <summary>The items of an inline enumeration after a colon ("has five items: a, b, c and d."), or null.</summary>
    public static IReadOnlyList<(int Start, int Length)>? Enumeration(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var colon = sentence.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || colon > sentence.Length - 10)
        {
            return null;
        }

        // Items are separated by ";" when the sentence uses them, else by ","; the last one may follow "and".
        var tail = sentence[(colon + 1)..];
        var separator = tail.Contains(';', StringComparison.Ordinal) ? ';' : ',';
        var items = new List<(int, int)>();
        var start = colon + 1;
        for (var i = colon + 1; i <= sentence.Length; i++)
        {
            if (i == sentence.Length || sentence[i] == separator)
            {
                var end = i;
                if (i == sentence.Length)
                {
                    while (end > start && (sentence[end - 1] == '.' || char.IsWhiteSpace(sentence[end - 1])))
                    {
                        end--;
                    }
                }

                var s = start;
                while (s < end && char.IsWhiteSpace(sentence[s]))
                {
                    s++;
                }

                // "…, and pick two use cases": the conjunction belongs to the list, not to the item.
                foreach (var conjunction in new[] { "and ", "or " })
                {
                    if (string.CompareOrdinal(sentence, s, conjunction, 0, conjunction.Length) == 0)
                    {
                        s += conjunction.Length;
                    }
                }

                if (end > s)
                {
                    items.Add((s, end - s));
                }

                start = i + 1;
            }
        }

        // A last item "c and d" (no serial comma) is split at its " and ".
        if (items.Count >= 2)
        {
            var (ls, ll) = items[^1];
            var and = sentence.IndexOf(" and ", ls, ll, StringComparison.Ordinal);
            if (and > ls && separator == ',')
            {
                items[^1] = (ls, and - ls);
                items.Add((and + 5, ls + ll - (and + 5)));
            }
        }

        return items.Count >= 3 && items.All(x => x.Item2 <= 160) ? items : null;
    }

    /// <summary>Share of the shorter sentence's words that the other one also has (0–1); above about 0.7 they say the same thing.</summary>
    public static double Overlap(IReadOnlyCollection<string> a, IReadOnlyCollection<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var set = large as ISet<string> ?? new HashSet<string>(large, StringComparer.Ordinal);
        return (double)small.Count(set.Contains) / small.Count;
    }

    [GeneratedRegex(@"\b(1[89]\d\d|20\d\d)\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\b(since|from|until|by) \d")]
    private static partial Regex DateLike();

    [GeneratedRegex(@"(€|US\$|\$|¥)\s?\d|\d[\d,.]*\s?(%|per cent|percent|million|billion|trillion|yuan|euros?|dollars?|FLOPs?|days|professionals|companies|start-ups|organisations|investors|jurisdictions)|\b(roughly|about|over|more than|up to) \d|\d+\^\d+")]
    private static partial Regex AmountLike();

    [GeneratedRegex(@"\b(proposed|announced|launched|developed|issued|published|released|founded|created|introduced|written|run|backed|owned|led|established|set up|made|produced|prepared|built|maintained)\b[^.;:]{0,60}?\bby (the |its |a )?[A-Z]")]
    private static partial Regex AgentBy();

    [GeneratedRegex(@"^(?:[A-Z][\w'’.-]*(?:,)? ){1,6}(?:first |jointly |later )?(proposed|announced|launched|developed|issued|published|released|founded|created|introduced|wrote|co-wrote|set up|established)\b")]
    private static partial Regex AgentFirst();

    [GeneratedRegex(@"^([^.;:]{2,140}?)\s(?:is|are|was|were|means|refers to)\s(?!not\b|also\b|advised\b|backed\b|based\b|expected\b|meant\b|part\b|presumed\b|launched\b|issued\b|published\b|run\b|developed\b|covered\b)")]
    private static partial Regex Defines();

    [GeneratedRegex(@"\d")]
    private static partial Regex NumberLike();

    [GeneratedRegex(@"\b(proposed|announced|launched|developed|issued|published|released|founded|created|introduced|wrote|co-wrote|backed|run|owns|argue|argues|said|says)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ProposedBy();

    [GeneratedRegex(@"\b(Premier|President|Professor|Minister|Commissioner)\b|\b[A-Z][a-z]+(?: (?:of |and |for )?[A-Z][a-z]+)+\b|\([A-Z]{2,}\)")]
    private static partial Regex NamedPerson();

    [GeneratedRegex(@"\b(because|so that|reason|reasons|rests on|case for|would (help|show|serve|give|draw|meet|fit|combine|widen|build)|could (help|signal|challenge)|benefit|benefits|fear|warn|warns|risks?|due to|since|thanks to|explain|explains|in order to|as a result|credibility|advantage|strengths?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReasonLike();

    // Advice says what to do; an obligation ("must", "need to") is advice only when it is not a deadline ("must comply from 2 August 2026").
    [GeneratedRegex(@"\b(should|recommend|recommends|recommended|first step|first steps|start with|begin with|starts? by|advises?|urges?|consider|the foundation of)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AdviceLike();

    [GeneratedRegex(@"\b(must|need to|needs to|have to|has to)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Obligation();

    [GeneratedRegex(@"[:;]|(, [^,]+){3,}")]
    private static partial Regex ListLike();

    [GeneratedRegex(@"\b(while|whereas|unlike|differs?|different|difference|compared|than|strongest|both|each|contrast|rather than|instead|follows a|correspond)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ComparisonLike();

    [GeneratedRegex(@"\b(this|the|each|a separate|the main|the separate) (note|notes|section|sections)\b|\bnotes? on\b|\bin this note\b|\bsee the\b|\bPolicyBot\b|\bseed (article|copy)\b|\blast reviewed\b|\bcurrent as of\b|\b(next|following) section\b|\bsection below\b|\bdescribed in its own section\b|\bturns the index's findings\b|\bis covered in\b|\bare covered in\b|\bcovers the\b.*\bnote\b", RegexOptions.IgnoreCase)]
    private static partial Regex AboutTheNote();

    [GeneratedRegex(@"^(This|That|These|Those|It|Its|They|Their|Them|Such|Both|The same|The initiative|The proposal|The plan|The body|The organisation|The organization|The framework|The measures|The rules|The provisions|The report|The op-ed|The city|The move|He|She|His|Her)\b")]
    private static partial Regex PointsBack();
}
