using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Evaluation;

/// <summary>
/// One Q&amp;A regression case: the document and phrase its top citation must carry, or an abstention; optionally a
/// question type (for the per-type report), a fact pattern the answer text must match, and the previous question
/// of the thread (for a follow-up).
/// </summary>
public sealed record QaCase(string Question, string? Document, string? Phrase, bool Abstain, int Line, string Type = "", string? Fact = null, string? Previous = null)
{
    /// <summary>The type reported for this case ("untyped" when the file gives none).</summary>
    public string ReportType => Type.Length > 0 ? Type : "untyped";
}

/// <summary>How one case went.</summary>
/// <param name="Fact">The answer text matched the case's fact pattern (false when abstained or there is no pattern).</param>
public sealed record QaOutcome(QaCase Case, bool Hit1, bool Hit3, bool Answered, string Detail, bool Fact = false)
{
    public bool Passed => Case.Abstain ? !Answered : Hit1;
}

/// <summary>The figures of one question type (or of all of them).</summary>
/// <param name="Hit1">Share of answerable cases whose first citation is the expected passage.</param>
/// <param name="Hit3">Same within the first three citations.</param>
/// <param name="Fact">Share of answerable cases with a fact pattern whose answer text matches it.</param>
/// <param name="AbstentionPrecision">Of the questions abstained on, the share that should have been (1 when none were).</param>
/// <param name="AbstentionRecall">Of the questions that should be abstained on, the share that were (1 when there are none).</param>
/// <param name="WronglyRefused">Share of answerable cases abstained on.</param>
public sealed record QaTypeFigures(
    string Type,
    int Cases,
    int Answerable,
    int AbstainCases,
    double Hit1,
    double Hit3,
    double Fact,
    double AbstentionPrecision,
    double AbstentionRecall,
    double WronglyRefused)
{
    public static QaTypeFigures Of(string type, IReadOnlyList<QaOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var answerable = outcomes.Where(o => !o.Case.Abstain).ToList();
        var abstainCases = outcomes.Count - answerable.Count;
        var withFact = answerable.Where(o => o.Case.Fact is not null).ToList();
        var abstained = outcomes.Count(o => !o.Answered);
        var rightlyAbstained = outcomes.Count(o => o.Case.Abstain && !o.Answered);
        static double Share(int part, int whole, double none) => whole == 0 ? none : (double)part / whole;
        return new QaTypeFigures(
            type,
            outcomes.Count,
            answerable.Count,
            abstainCases,
            Share(answerable.Count(o => o.Hit1), answerable.Count, 0),
            Share(answerable.Count(o => o.Hit3), answerable.Count, 0),
            Share(withFact.Count(o => o.Fact), withFact.Count, 0),
            Share(rightlyAbstained, abstained, 1),
            Share(rightlyAbstained, abstainCases, 1),
            Share(answerable.Count(o => !o.Answered), answerable.Count, 0));
    }
}

/// <summary>The figures of a regression run.</summary>
public sealed record QaReport(IReadOnlyList<QaOutcome> Outcomes)
{
    public int Answerable => Outcomes.Count(o => !o.Case.Abstain);

    public int AbstainCases => Outcomes.Count(o => o.Case.Abstain);

    public double Hit1 => Answerable == 0 ? 0 : (double)Outcomes.Count(o => !o.Case.Abstain && o.Hit1) / Answerable;

    public double Hit3 => Answerable == 0 ? 0 : (double)Outcomes.Count(o => !o.Case.Abstain && o.Hit3) / Answerable;

    /// <summary>Share of abstain cases the bot abstained on (1 when there are none).</summary>
    public double AbstentionAccuracy => AbstainCases == 0 ? 1 : (double)Outcomes.Count(o => o.Case.Abstain && !o.Answered) / AbstainCases;

    public IEnumerable<QaOutcome> Failures => Outcomes.Where(o => !o.Passed);

    /// <summary>All cases together.</summary>
    public QaTypeFigures Overall => QaTypeFigures.Of("all", Outcomes);

    /// <summary>One row per question type, in the order the types first appear in the file.</summary>
    public IReadOnlyList<QaTypeFigures> ByType =>
        Outcomes.GroupBy(o => o.Case.ReportType).Select(g => QaTypeFigures.Of(g.Key, g.ToList())).ToList();
}

/// <summary>
/// The Q&amp;A regression format: a YAML list of <c>{question, document, phrase}</c> (the top citation must come from
/// the corpus-relative <c>document</c> and its passage contain <c>phrase</c>, case-insensitively) or
/// <c>{question, abstain: true}</c>, each optionally with <c>type</c>, <c>fact</c> (a case-insensitive regular
/// expression the answer text must match) and <c>previous</c> (the earlier question of the thread). Runs the whole
/// answer path.
/// </summary>
public static class QaRegression
{
    public static List<QaCase> Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new FormatException($"line {ex.Start.Line}: {ex.Message}", ex);
        }

        var cases = new List<QaCase>();
        if (stream.Documents.Count == 0)
        {
            return cases;
        }

        if (stream.Documents[0].RootNode is not YamlSequenceNode list)
        {
            throw new FormatException("a Q&A regression file is a YAML list of {question, document, phrase} or {question, abstain: true}");
        }

        foreach (var node in list)
        {
            var line = (int)node.Start.Line;
            if (node is not YamlMappingNode map)
            {
                throw new FormatException($"line {line}: each entry is a mapping");
            }

            string? Get(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
            var question = Get("question");
            if (string.IsNullOrWhiteSpace(question))
            {
                throw new FormatException($"line {line}: entry has no question");
            }

            var abstain = string.Equals(Get("abstain"), "true", StringComparison.OrdinalIgnoreCase);
            var document = Get("document");
            var phrase = Get("phrase");
            if (!abstain && (string.IsNullOrWhiteSpace(document) || string.IsNullOrWhiteSpace(phrase)))
            {
                throw new FormatException($"line {line}: an answerable entry needs document and phrase (or abstain: true)");
            }

            var fact = Get("fact");
            if (fact is not null)
            {
                try
                {
                    _ = new Regex(fact, FactOptions, FactTimeout);
                }
                catch (ArgumentException ex)
                {
                    throw new FormatException($"line {line}: bad fact pattern: {ex.Message}", ex);
                }
            }

            cases.Add(new QaCase(question, document, phrase, abstain, line, Get("type")?.Trim() ?? "", fact, Get("previous")));
        }

        return cases;
    }

    public static List<QaCase> Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Runs each case through <paramref name="answer"/> (normally <see cref="PolicyBotEngine.Answer"/>).</summary>
    public static QaReport Run(Func<Question, Answer> answer, IEnumerable<QaCase> cases)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(cases);
        var outcomes = new List<QaOutcome>();
        foreach (var c in cases)
        {
            var context = c.Previous is null ? QuestionContext.Cli : QuestionContext.Cli with { PreviousQuestion = c.Previous };
            outcomes.Add(Judge(c, answer(new Question(c.Question, context) { MaxCitations = 3 })));
        }

        return new QaReport(outcomes);
    }

    public static QaOutcome Judge(QaCase c, Answer answer)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(answer);
        var answered = answer.Answered;
        if (c.Abstain)
        {
            var why = answered
                ? $"answered instead of abstaining; top citation {answer.Citations.FirstOrDefault()?.DocumentPath}: \"{Short(answer.Text)}\""
                : "abstained";
            return new QaOutcome(c, false, false, answered, why);
        }

        if (!answered)
        {
            return new QaOutcome(c, false, false, false, $"abstained: {answer.Reason}");
        }

        bool Matches(Citation x) =>
            DocumentMatches(x.DocumentPath, c.Document!) && x.Passage.Contains(c.Phrase!, StringComparison.OrdinalIgnoreCase);

        var cites = answer.Citations;
        var hit1 = cites.Count > 0 && Matches(cites[0]);
        var hit3 = cites.Take(3).Any(Matches);
        var top = cites.Count > 0 ? $"top citation {cites[0].DocumentPath} \"{Short(cites[0].Passage)}\"" : "no citation";
        var fact = c.Fact is not null && Regex.IsMatch(answer.Text, c.Fact, FactOptions, FactTimeout);
        var detail = hit1 ? "hit" : top;
        if (c.Fact is not null && !fact)
        {
            detail += $"; fact /{c.Fact}/ not in \"{Short(answer.Text)}\"";
        }

        return new QaOutcome(c, hit1, hit3, true, detail, fact);
    }

    /// <summary>The expected document names a corpus-relative path; a bare file name matches it in any folder.</summary>
    private static bool DocumentMatches(string actual, string expected) =>
        string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)
        || actual.EndsWith("/" + expected, StringComparison.OrdinalIgnoreCase);

    private const RegexOptions FactOptions = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline;

    private static readonly TimeSpan FactTimeout = TimeSpan.FromSeconds(1);

    private static string Short(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 100 ? s : s[..100] + "…";
    }
}
