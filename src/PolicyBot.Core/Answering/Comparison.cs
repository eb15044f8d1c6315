using System.Text.RegularExpressions;
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
/// <param name="Topic">The topic as a phrase ("how China, the US and the EU regulate AI", "AI regulation").</param>
public sealed record Comparison(string Topic, IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<Citation> Citations, string CorpusVersion)
{
    public bool AnyCovered => Rows.Any(r => r.Covered);

    /// <summary>
    /// The heading every platform shows: "Compared: how China, the US and the EU regulate AI" for a question,
    /// "Compared: AI regulation in the EU and the US" for a topic that names no jurisdiction.
    /// </summary>
    public string Title => ComparisonComposer.TitleOf(Topic, Rows.Select(r => r.Jurisdiction).ToList());

    /// <summary>When the answerer refused one of the questions (rate limit, queue full): that refusal, shown instead.</summary>
    public Answer? Refusal { get; init; }
}

/// <summary>
/// Compares jurisdictions on a topic through the answer contract only: one question per jurisdiction
/// ("{topic} — {jurisdiction}"), keeping the best extract whose document is tagged with that jurisdiction and
/// preferring one that names it. A jurisdiction no document is tagged with is "not covered" without asking.
/// </summary>
public sealed partial class ComparisonComposer
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

        return (Phrase(question!), found.Take(MaxJurisdictions).ToList());
    }

    /// <summary>
    /// A question as a topic phrase: "How do China, the US and the EU regulate AI?" → "how China, the US and the EU
    /// regulate AI"; "Compare AI rules in the EU and the US" → "AI rules in the EU and the US". Words stay as typed.
    /// </summary>
    public static string Phrase(string question)
    {
        var s = QuestionText.Clean(question ?? "").TrimEnd('?', '？', '.', '!', ' ');
        s = LeadingCompare().Replace(s, "");
        s = LeadingWhAuxiliary().Replace(s, m => m.Groups["wh"].Value.ToLowerInvariant() + " ");
        var first = LeadingWh().Match(s);
        if (first.Success)
        {
            s = s[..first.Length].ToLowerInvariant() + s[first.Length..];
        }

        return s.Trim();
    }

    /// <summary>
    /// The words to retrieve on for every jurisdiction: the topic without any jurisdiction's name, list joiners,
    /// question words or trailing prepositions ("how China, the US and the EU regulate AI" → "regulate AI"), so one
    /// jurisdiction's search is not pulled toward passages about the others.
    /// </summary>
    public static string TopicWords(string topic)
    {
        var s = JurisdictionNames.Strip(Phrase(topic));
        s = LeadingWhAuxiliary().Replace(s, "");
        s = LeadingWh().Replace(s, "");
        s = TrailingPreposition().Replace(s, "");
        s = s.Trim(' ', ',', ';', ':', '-', '—');
        return s.Length > 0 ? s : Phrase(topic);
    }

    /// <summary>See <see cref="Comparison.Title"/>: the topic phrase, with the jurisdictions appended when it names none of them.</summary>
    public static string TitleOf(string topic, IReadOnlyList<JurisdictionRef> jurisdictions)
    {
        ArgumentNullException.ThrowIfNull(jurisdictions);
        var phrase = Phrase(topic);
        if (phrase.Length == 0)
        {
            phrase = "AI policy";
        }

        var names = jurisdictions.Select(j => j.Name).ToList();
        if (names.Count == 0 || jurisdictions.Any(j => JurisdictionNames.Mentions(phrase, j.Code) || phrase.Contains(j.Name, StringComparison.OrdinalIgnoreCase)))
        {
            return "Compared: " + phrase;
        }

        var list = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];
        return "Compared: " + phrase + " in " + list;
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
        topic = Phrase(topic ?? "");
        var about = TopicWords(topic);
        var aboutWords = ContentWords(about);
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

            var question = new Question($"{about} ({j.Name})", context) { MaxCitations = 5 };
            var answer = await _answerer.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
            if (answer.Outcome == AnswerOutcome.Refused)
            {
                return new Comparison(topic, rows, citations, _catalog.CorpusVersion) { Refusal = answer };
            }

            // "{topic} ({name})" alone tends to find any document naming the place (a WAICO note naming China): also ask
            // for each document on this jurisdiction alone (at most two) by its title, which answers with the
            // document's overview, and keep the extract that best fits the topic. A refusal keeps what we have.
            var answers = new List<Answer> { answer };
            foreach (var doc in OwnDocuments(j, aboutWords))
            {
                var more = await _answerer.AnswerAsync(new Question(doc.Title, context) { MaxCitations = 3 }, cancellationToken).ConfigureAwait(false);
                if (more.Outcome == AnswerOutcome.Refused)
                {
                    break;
                }

                answers.Add(more);
            }

            var pick = Pick(answers, j, aboutWords);
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
    /// The extract for one jurisdiction, from a document tagged with it: first sentences sharing a topic word, then
    /// the documents about that jurisdiction alone (front matter <c>jurisdictions:</c> lists it and at most GLOBAL
    /// besides), then sentences sharing more of the topic's words (in the sentence, then in its title and section),
    /// then one an answer quoted, then one naming the jurisdiction, then the answers' own order.
    /// So "how China regulates AI" quotes China's rules, not a WAICO note that happens to name China.
    /// </summary>
    private static Extract? Pick(IReadOnlyList<Answer> answers, JurisdictionRef j, IReadOnlyList<string> topicWords)
    {
        var candidates = new List<(Extract e, int i)>();
        foreach (var answer in answers)
        {
            candidates.AddRange(Extracts.Of(answer).Select(e => (e, candidates.Count)));
        }

        foreach (var c in answers.SelectMany(a => a.Citations))
        {
            // Sentences of cited passages beyond the 1-3 the answer quoted: still verbatim, still cited.
            foreach (var s in Extracts.SentencesOf(c.Passage))
            {
                candidates.Add((new Extract(s, c), 100 + candidates.Count));
            }
        }

        return candidates
            .Where(x => x.e.Citation.Jurisdictions.Contains(j.Code, StringComparer.OrdinalIgnoreCase))
            .Select(x => (x.e, x.i, overlap: Overlap(x.e.Text, topicWords)))
            .OrderBy(x => x.overlap > 0 ? 0 : 1)
            .ThenBy(x => Others(x.e.Citation, j))
            .ThenByDescending(x => x.overlap)
            .ThenByDescending(x => Overlap(x.e.Citation.Title + " " + x.e.Citation.Section, topicWords))
            .ThenBy(x => x.i < 100 ? 0 : 1)
            .ThenBy(x => JurisdictionNames.Mentions(x.e.Text, j.Code) ? 0 : 1)
            .ThenBy(x => x.i)
            .Select(x => x.e)
            .FirstOrDefault();
    }

    /// <summary>The documents about <paramref name="j"/> alone (GLOBAL aside), most topic words in title and topics first, at most two.</summary>
    private IEnumerable<CorpusDocumentInfo> OwnDocuments(JurisdictionRef j, IReadOnlyList<string> topicWords) =>
        _catalog.Documents
            .Where(d => d.Jurisdictions.Contains(j.Code, StringComparer.OrdinalIgnoreCase)
                && d.Jurisdictions.All(x => string.Equals(x, j.Code, StringComparison.OrdinalIgnoreCase) || string.Equals(x, "GLOBAL", StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(d => Overlap(d.Title + " " + string.Join(' ', d.Topics), topicWords))
            .ThenBy(d => d.Path, StringComparer.Ordinal)
            .Take(2);

    /// <summary>How many other jurisdictions (GLOBAL aside) the cited document is tagged with; 0 = about this one alone.</summary>
    private static int Others(Citation c, JurisdictionRef j) =>
        c.Jurisdictions.Count(x => !string.Equals(x, j.Code, StringComparison.OrdinalIgnoreCase) && !string.Equals(x, "GLOBAL", StringComparison.OrdinalIgnoreCase));

    // Core has no analyzer (the Lucene stemmer lives in Search, which Core does not reference), so topic words are
    // matched by a five-letter prefix: "regulate" matches "regulation", "regulatory"; short words ("AI") match whole.
    private const int PrefixLength = 5;

    // "artificial intelligence" and "AI" are one topic word (the corpus writes the long form, users the short one).
    private static List<string> ContentWords(string text) =>
        Words().Matches(ArtificialIntelligence().Replace(text, "AI")).Select(m => m.Value.ToLowerInvariant())
            .Where(w => w.Length >= 2 && !FunctionWords.Contains(w))
            .Select(w => w.Length > PrefixLength ? w[..PrefixLength] : w)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static int Overlap(string sentence, IReadOnlyList<string> topicWords)
    {
        if (topicWords.Count == 0)
        {
            return 0;
        }

        var words = ContentWords(sentence);
        return topicWords.Count(t => words.Contains(t, StringComparer.Ordinal));
    }

    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "by", "with", "at", "as", "is", "are", "do", "does",
        "how", "what", "why", "which", "who", "when", "where", "its", "their", "it", "they", "this", "that", "be",
    };

    [GeneratedRegex(@"(?i:artificial\s+intelligence)", RegexOptions.CultureInvariant)]
    private static partial Regex ArtificialIntelligence();

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    [GeneratedRegex(@"^(?i:compare|comparing|contrast)\s+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingCompare();

    [GeneratedRegex(@"^(?<wh>(?i:how|what|why|where|when|which))\s+(?i:do|does|did)\s+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingWhAuxiliary();

    [GeneratedRegex(@"^(?i:how|what|why|where|when|which|who)(?![\p{L}\p{N}])\s*(?i:(?:is|are|was|were)\s+)?", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingWh();

    [GeneratedRegex(@"(?:\s+(?i:in|for|across|between|among|of))+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingPreposition();
}
