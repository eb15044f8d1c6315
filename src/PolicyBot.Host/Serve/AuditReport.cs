using PolicyBot.Search.Analysis;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Core.Text;

namespace PolicyBot.Host.Serve;

/// <summary>What <c>policybot report</c> shows, computed from audit records.</summary>
internal sealed record AuditReport(
    int Questions,
    int Answered,
    int Abstained,
    int Refused,
    IReadOnlyList<AuditReport.Gap> CoverageGaps,
    IReadOnlyList<AuditReport.Topic> TopTopics,
    int PositiveFeedback,
    int NegativeFeedback,
    IReadOnlyList<AuditReport.Slow> SlowestAnswers,
    IReadOnlyList<AuditReport.Count> RefusalReasons,
    DateTimeOffset? From,
    DateTimeOffset? To)
{
    /// <summary>Abstained questions that share their key words: what the corpus is missing.</summary>
    public sealed record Gap(string Terms, int Asked, string Example, DateTimeOffset LastAsked);

    /// <summary>The document cited first, with how often and how it was rated.</summary>
    public sealed record Topic(string Document, int Answers, int Positive, int Negative);

    public sealed record Slow(string Question, string Platform, string Outcome, double LatencyMs, DateTimeOffset At);

    public sealed record Count(string Name, int Value);

    /// <summary>Share of rated answers rated 👍 (null when nothing was rated).</summary>
    public double? FeedbackRatio => PositiveFeedback + NegativeFeedback == 0 ? null : (double)PositiveFeedback / (PositiveFeedback + NegativeFeedback);

    public static async Task<AuditReport> BuildAsync(IAsyncEnumerable<AuditRecord> records, int top, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        int questions = 0, answered = 0, abstained = 0, refused = 0, positive = 0, negative = 0;
        DateTimeOffset? from = null, to = null;
        var gaps = new Dictionary<string, GapAccumulator>(StringComparer.Ordinal);
        var topics = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        var slow = new PriorityQueue<AuditRecord, double>();
        await foreach (var r in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            questions++;
            from = from is null || r.At < from ? r.At : from;
            to = to is null || r.At > to ? r.At : to;
            var up = r.Feedback.Count(f => f.Reaction == FeedbackReaction.Positive);
            var down = r.Feedback.Count - up;
            positive += up;
            negative += down;
            switch (r.Outcome)
            {
                case AnswerOutcome.Answered:
                    answered++;
                    var doc = r.CitedPassageIds.Count > 0 ? DocumentOf(r.CitedPassageIds[0]) : "(no citation)";
                    var t = topics.TryGetValue(doc, out var existing) ? existing : topics[doc] = new int[3];
                    t[0]++;
                    t[1] += up;
                    t[2] += down;
                    break;
                case AnswerOutcome.Abstained:
                    abstained++;
                    var key = r.MainTerms ?? QuestionTerms.Default.MainTerms(r.Question);
                    if (!gaps.TryGetValue(key, out var gap))
                    {
                        gaps[key] = gap = new GapAccumulator();
                    }

                    gap.Add(r);
                    break;
                default:
                    refused++;
                    var reason = r.Reason ?? "unspecified";
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                    break;
            }

            if (r.Outcome != AnswerOutcome.Refused)
            {
                slow.Enqueue(r, r.LatencyMs);
                if (slow.Count > top)
                {
                    slow.Dequeue();
                }
            }
        }

        var slowest = new List<Slow>();
        while (slow.TryDequeue(out var r, out _))
        {
            slowest.Add(new Slow(Short(r.Question), r.Platform, r.Outcome.ToString().ToLowerInvariant(), r.LatencyMs, r.At));
        }

        slowest.Reverse();
        return new AuditReport(
            questions,
            answered,
            abstained,
            refused,
            gaps.Select(kv => new Gap(kv.Key, kv.Value.Asked, Short(kv.Value.Example), kv.Value.Last))
                .OrderByDescending(g => g.Asked).ThenByDescending(g => g.LastAsked).Take(top).ToList(),
            topics.Select(kv => new Topic(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2]))
                .OrderByDescending(t => t.Answers).ThenBy(t => t.Document, StringComparer.Ordinal).Take(top).ToList(),
            positive,
            negative,
            slowest,
            reasons.Select(kv => new Count(kv.Key, kv.Value)).OrderByDescending(c => c.Value).ToList(),
            from,
            to);
    }

    /// <summary>"docs/eu-ai-act.md#3" → "docs/eu-ai-act.md".</summary>
    internal static string DocumentOf(string passageId)
    {
        var hash = passageId.LastIndexOf('#');
        return hash > 0 ? passageId[..hash] : passageId;
    }

    private static string Short(string text)
    {
        var clean = QuestionText.Clean(text);
        return clean.Length <= 120 ? clean : clean[..117] + "...";
    }

    private sealed class GapAccumulator
    {
        private readonly Dictionary<string, int> _examples = new(StringComparer.Ordinal);

        public int Asked { get; private set; }

        public DateTimeOffset Last { get; private set; }

        public string Example => _examples.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Length).First().Key;

        public void Add(AuditRecord r)
        {
            Asked++;
            Last = r.At > Last ? r.At : Last;
            if (_examples.Count < 50 || _examples.ContainsKey(r.Question))
            {
                _examples[r.Question] = _examples.GetValueOrDefault(r.Question) + 1;
            }
        }
    }
}
