using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Answering;

/// <summary>One verbatim, cited bullet of a brief.</summary>
/// <param name="Text">The extract followed by " [n]".</param>
public sealed record BriefBullet(string Text, int Rank);

/// <summary>A heading ("What it is", "Status and key dates", "What to do") and its bullets.</summary>
public sealed record BriefSection(string Heading, IReadOnlyList<BriefBullet> Bullets);

/// <summary>An executive brief: sections of verbatim extracts, citations numbered across it, and the newest source's date.</summary>
public sealed record Brief(string Topic, IReadOnlyList<BriefSection> Sections, IReadOnlyList<Citation> Citations, SourceDate? AsOf, string CorpusVersion)
{
    public bool Empty => Sections.All(s => s.Bullets.Count == 0);

    /// <summary>When the answerer refused one of the questions (rate limit, queue full): that refusal, shown instead.</summary>
    public Answer? Refusal { get; init; }

    /// <summary>"Sources as of 19 Nov 2025" for the newest cited source, or "".</summary>
    public string AsOfText => AsOf is { } d ? "Sources as of " + d.ToDisplay() : "";
}

/// <summary>
/// Builds a short brief on a topic through the answer contract: one question per section, each bullet a verbatim
/// extract of a cited passage, no extract twice, at most <see cref="MaxBullets"/> bullets and
/// <see cref="MaxChars"/> characters of bullet text in all (one screen on a laptop or a phone).
/// </summary>
public sealed partial class BriefComposer
{
    public const int MaxBulletsPerSection = 2;
    public const int MaxBullets = 6;
    public const int MaxBulletChars = 240;
    public const int MaxChars = 1200;

    public const string WhatItIs = "What it is";
    public const string StatusAndDates = "Status and key dates";
    public const string WhatToDo = "What to do";

    private readonly IQuestionAnswerer _answerer;

    public BriefComposer(IQuestionAnswerer answerer)
    {
        ArgumentNullException.ThrowIfNull(answerer);
        _answerer = answerer;
    }

    public async Task<Brief> BriefAsync(string topic, QuestionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        topic = QuestionText.Clean(topic ?? "");
        // Several phrasings per section: the first that yields an unused extract wins (lexical retrieval abstains
        // when a phrasing's words are missing from the corpus, so one phrasing is not enough).
        var plan = new (string Heading, string[] Questions, Func<string, bool>? Require)[]
        {
            (WhatItIs, [$"What is {topic}?", topic], null),
            (StatusAndDates, [$"{topic}: status, when it applies, deadlines and key dates", $"When does {topic} apply?", $"{topic} timeline"], s => DateLike().IsMatch(s)),
            (WhatToDo, [$"What should executives do about {topic}?", $"{topic} compliance checklist", $"How should companies comply with {topic}?"], s => ActionLike().IsMatch(s)),
        };

        var citations = new List<Citation>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var sections = new List<BriefSection>();
        var total = 0;
        var bullets = 0;
        var version = "";
        foreach (var (heading, questions, require) in plan)
        {
            var list = new List<BriefBullet>();
            foreach (var question in topic.Length > 0 ? questions : [])
            {
                if (list.Count > 0)
                {
                    break;
                }

                var answer = await _answerer.AnswerAsync(new Question(question, context) { MaxCitations = 5 }, cancellationToken).ConfigureAwait(false);
                version = answer.CorpusVersion;
                if (answer.Outcome == AnswerOutcome.Refused)
                {
                    return new Brief(topic, [], [], null, version) { Refusal = answer };
                }

                foreach (var e in Candidates(answer, require))
                {
                    if (list.Count == MaxBulletsPerSection || bullets == MaxBullets)
                    {
                        break;
                    }

                    var text = Extracts.Shorten(e.Text, MaxBulletChars);
                    if (used.Contains(e.Text) || total + text.Length > MaxChars)
                    {
                        continue;
                    }

                    used.Add(e.Text);
                    var existing = citations.FindIndex(c => c.PassageId == e.Citation.PassageId);
                    var rank = existing >= 0 ? existing + 1 : citations.Count + 1;
                    if (existing < 0)
                    {
                        citations.Add(e.Citation with { Rank = rank });
                    }

                    list.Add(new BriefBullet($"{text} [{rank}]", rank));
                    total += text.Length;
                    bullets++;
                }
            }

            sections.Add(new BriefSection(heading, list));
        }

        return new Brief(topic, sections, citations, Newest(citations), version);
    }

    /// <summary>
    /// Extracts to choose from: the answer's own sentences first, then the other sentences of its cited passages;
    /// with <paramref name="require"/>, only those it accepts (a "what to do" bullet must read as an action).
    /// </summary>
    private static IEnumerable<Extract> Candidates(Answer answer, Func<string, bool>? require)
    {
        if (!answer.Answered)
        {
            return [];
        }

        var quoted = Extracts.Of(answer);
        var more = answer.Citations.SelectMany(c => Extracts.SentencesOf(c.Passage).Select(s => new Extract(s, c)));
        return quoted.Concat(more).Where(e => require is null || require(e.Text)).Take(12);
    }

    private static SourceDate? Newest(IEnumerable<Citation> citations)
    {
        SourceDate? newest = null;
        foreach (var c in citations)
        {
            SourceDate? d = c.Reference?.Date;
            if (d is null && SourceDate.TryParse(c.Published, out var p))
            {
                d = p;
            }

            if (d is { } date && (newest is null || date.CompareTo(newest.Value) > 0))
            {
                newest = date;
            }
        }

        return newest;
    }

    [GeneratedRegex(@"\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|\bin force\b|\bapplies from\b|\bdeadline", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DateLike();

    [GeneratedRegex(@"\b(?:should|must|need to|needs to|recommend\w*|start by|first step|checklist)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ActionLike();
}
