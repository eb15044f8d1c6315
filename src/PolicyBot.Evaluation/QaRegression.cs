using PolicyBot.Core.Conversation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Evaluation;

/// <summary>One Q&amp;A regression case: the document and phrase its top citation must carry, or an abstention.</summary>
public sealed record QaCase(string Question, string? Document, string? Phrase, bool Abstain, int Line);

/// <summary>How one case went.</summary>
public sealed record QaOutcome(QaCase Case, bool Hit1, bool Hit3, bool Answered, string Detail)
{
    public bool Passed => Case.Abstain ? !Answered : Hit1;
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
}

/// <summary>
/// The Q&amp;A regression format: a YAML list of <c>{question, document, phrase}</c> (the top citation must come from
/// the corpus-relative <c>document</c> and its passage contain <c>phrase</c>, case-insensitively) or
/// <c>{question, abstain: true}</c>. Runs the whole answer path.
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

            cases.Add(new QaCase(question, document, phrase, abstain, line));
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
            outcomes.Add(Judge(c, answer(new Question(c.Question, QuestionContext.Cli) { MaxCitations = 3 })));
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
            var detail = answered
                ? $"answered instead of abstaining; top citation {answer.Citations.FirstOrDefault()?.DocumentPath}: \"{Short(answer.Text)}\""
                : "abstained";
            return new QaOutcome(c, false, false, answered, detail);
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
        return new QaOutcome(c, hit1, hit3, true, hit1 ? "hit" : top);
    }

    /// <summary>The expected document names a corpus-relative path; a bare file name matches it in any folder.</summary>
    private static bool DocumentMatches(string actual, string expected) =>
        string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)
        || actual.EndsWith("/" + expected, StringComparison.OrdinalIgnoreCase);

    private static string Short(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 100 ? s : s[..100] + "…";
    }
}
