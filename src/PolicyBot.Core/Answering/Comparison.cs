using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Answering;

/// <summary>Whether the corpus speaks to a jurisdiction in a comparison.</summary>
public enum ComparisonCoverage
{
    /// <summary>A cited line for this jurisdiction.</summary>
    Covered,

    /// <summary>No document in the corpus is about this jurisdiction.</summary>
    NotInCorpus,

    /// <summary>The corpus has documents on this jurisdiction, but none speaks to the topic.</summary>
    NotOnTopic,
}

/// <summary>One jurisdiction's line: a verbatim extract ending with its marker, or why there is none.</summary>
/// <param name="Line">The extract followed by " [n]", or empty when not covered.</param>
/// <param name="Rank">The n of the line's citation in <see cref="Comparison.Citations"/>, 0 when not covered.</param>
public sealed record ComparisonRow(JurisdictionRef Jurisdiction, ComparisonCoverage Coverage, string Line, int Rank)
{
    public bool Covered => Coverage == ComparisonCoverage.Covered;

    /// <summary>What to show instead of a line.</summary>
    public string NotCoveredText => Coverage switch
    {
        ComparisonCoverage.NotInCorpus => "Not covered: the corpus has no documents on " + Jurisdiction.Name + ".",
        ComparisonCoverage.NotOnTopic => "Not covered: the corpus has nothing on this topic for " + Jurisdiction.Name + ".",
        _ => "",
    };
}

/// <summary>A side-by-side comparison: one row per jurisdiction asked about, citations numbered across rows.</summary>
public sealed record Comparison(string Topic, IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<Citation> Citations, string CorpusVersion)
{
    public bool AnyCovered => Rows.Any(r => r.Covered);

    /// <summary>When the answerer refused one of the questions (rate limit, queue full): that refusal, shown instead.</summary>
    public Answer? Refusal { get; init; }
}

/// <summary>
/// Compares jurisdictions on a topic through the answer contract only: one question per jurisdiction
/// ("{topic} — {jurisdiction}"), keeping the best extract whose document is tagged with that jurisdiction and
/// preferring one that names it. A jurisdiction no document is tagged with is "not covered" without asking.
/// </summary>
public sealed class ComparisonComposer
{
    /// <summary>The most jurisdictions one comparison shows (Discord allows 25 fields, a Teams card stays readable at 6).</summary>
    public const int MaxJurisdictions = 6;

    /// <summary>The longest line kept per jurisdiction (a cut line ends with an ellipsis and stays a verbatim prefix).</summary>
    public const int MaxLineChars = 300;

    private readonly IQuestionAnswerer _answerer;
    private readonly ICorpusCatalog _catalog;

    public ComparisonComposer(IQuestionAnswerer answerer, ICorpusCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(answerer);
        ArgumentNullException.ThrowIfNull(catalog);
        _answerer = answerer;
        _catalog = catalog;
    }

    /// <summary>
    /// When a question names two or more jurisdictions ("How do China, the US and the EU regulate AI?"): the topic
    /// without them and the jurisdictions in order; null otherwise.
    /// </summary>
    public static (string Topic, IReadOnlyList<JurisdictionRef> Jurisdictions)? Detect(string question)
    {
        var found = JurisdictionNames.Find(question ?? "");
        if (found.Count < 2)
        {
            return null;
        }

        var topic = JurisdictionNames.Strip(question!);
        return (topic.Length == 0 ? question!.Trim() : topic, found.Take(MaxJurisdictions).ToList());
    }

    /// <summary>The jurisdictions to compare when the user names none: every one the corpus covers, GLOBAL aside.</summary>
    public IReadOnlyList<JurisdictionRef> CoveredJurisdictions() =>
        _catalog.Documents.SelectMany(d => d.Jurisdictions)
            .Where(j => !string.Equals(j, "GLOBAL", StringComparison.OrdinalIgnoreCase))
            .GroupBy(j => j.ToUpperInvariant())
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(MaxJurisdictions)
            .Select(g => JurisdictionNames.ByCode(g.Key) ?? new JurisdictionRef(g.Key, g.Key))
            .ToList();

    public async Task<Comparison> CompareAsync(string topic, IReadOnlyList<JurisdictionRef> jurisdictions, QuestionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jurisdictions);
        ArgumentNullException.ThrowIfNull(context);
        topic = QuestionText.Clean(topic ?? "");
        var wanted = (jurisdictions.Count > 0 ? jurisdictions : CoveredJurisdictions()).Take(MaxJurisdictions).ToList();
        var covered = _catalog.Documents.SelectMany(d => d.Jurisdictions).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var rows = new List<ComparisonRow>();
        var citations = new List<Citation>();
        foreach (var j in wanted)
        {
            if (!covered.Contains(j.Code))
            {
                rows.Add(new ComparisonRow(j, ComparisonCoverage.NotInCorpus, "", 0));
                continue;
            }

            var question = new Question($"{topic} ({j.Name})", context) { MaxCitations = 5 };
            var answer = await _answerer.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
            if (answer.Outcome == AnswerOutcome.Refused)
            {
                return new Comparison(topic, rows, citations, _catalog.CorpusVersion) { Refusal = answer };
            }

            var pick = Pick(answer, j);
            if (pick is null)
            {
                rows.Add(new ComparisonRow(j, ComparisonCoverage.NotOnTopic, "", 0));
                continue;
            }

            var existing = citations.FindIndex(c => c.PassageId == pick.Citation.PassageId);
            var rank = existing >= 0 ? existing + 1 : citations.Count + 1;
            if (existing < 0)
            {
                citations.Add(pick.Citation with { Rank = rank });
            }

            rows.Add(new ComparisonRow(j, ComparisonCoverage.Covered, $"{Extracts.Shorten(pick.Text, MaxLineChars)} [{rank}]", rank));
        }

        return new Comparison(topic, rows, citations, _catalog.CorpusVersion);
    }

    /// <summary>
    /// The extract for one jurisdiction: from a document tagged with it, preferring a sentence that names it, then a
    /// document about fewer jurisdictions (more specific), then the answer's own order.
    /// </summary>
    private static Extract? Pick(Answer answer, JurisdictionRef j)
    {
        var candidates = Extracts.Of(answer).Select((e, i) => (e, i)).ToList();
        foreach (var c in answer.Citations)
        {
            // Sentences of cited passages beyond the 1-3 the answer quoted: still verbatim, still cited.
            foreach (var s in Extracts.SentencesOf(c.Passage))
            {
                candidates.Add((new Extract(s, c), 100 + candidates.Count));
            }
        }

        return candidates
            .Where(x => x.e.Citation.Jurisdictions.Contains(j.Code, StringComparer.OrdinalIgnoreCase))
            .OrderBy(x => Preference(x.e, quoted: x.i < 100, j))
            .ThenBy(x => x.i)
            .Select(x => x.e)
            .FirstOrDefault();
    }

    private static int Preference(Extract e, bool quoted, JurisdictionRef j)
    {
        var names = JurisdictionNames.Mentions(e.Text, j.Code);
        var specific = e.Citation.Jurisdictions.Count <= 2;
        return (quoted, names, specific) switch
        {
            (true, true, _) => 0,
            (true, false, true) => 1,
            (false, true, _) => 2,
            (true, false, false) => 3,
            _ => 4,
        };
    }
}
