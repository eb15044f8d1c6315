using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Admin;

/// <summary>The time window a page shows: whole UTC days ending today.</summary>
internal readonly record struct DayRange(DateOnly First, int Days)
{
    public static readonly int[] Choices = [7, 30, 90];

    public DateOnly Last => First.AddDays(Days - 1);

    public DateTimeOffset From => new(First.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset To => new(Last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The last <paramref name="days"/> days up to today (7, 30 or 90; anything else is 30).</summary>
    public static DayRange Ending(DateTimeOffset now, string? days)
    {
        var n = days switch
        {
            "7" => 7,
            "90" => 90,
            _ => 30,
        };
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return new DayRange(today.AddDays(1 - n), n);
    }

    public int IndexOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).DayNumber - First.DayNumber;
}

internal sealed record DayStats(DateOnly Day, int Answered, int Abstained, int Refused, double? P50Ms, double? P99Ms, int Positive, int Negative)
{
    public int Total => Answered + Abstained + Refused;
}

internal sealed record PlatformStats(string Platform, int Answered, int Abstained, int Refused, double? P50Ms, double? P99Ms, int Positive, int Negative)
{
    public int Total => Answered + Abstained + Refused;
}

/// <summary>What the Overview page shows.</summary>
internal sealed record OverviewModel(DayRange Range, string? Platform, IReadOnlyList<DayStats> Days, IReadOnlyList<PlatformStats> Platforms)
{
    public int Positive => Days.Sum(d => d.Positive);

    public int Negative => Days.Sum(d => d.Negative);

    /// <summary>Questions per day by outcome, latency percentiles (answered and abstained; refusals never searched) and reactions.</summary>
    public static async Task<OverviewModel> BuildAsync(IAuditQueries store, DayRange range, string? platform, CancellationToken cancellationToken)
    {
        var days = new Accumulator[range.Days];
        var platforms = new SortedDictionary<string, Accumulator>(StringComparer.Ordinal);
        for (var i = 0; i < days.Length; i++)
        {
            days[i] = new Accumulator();
        }

        await foreach (var p in store.ReadAuditPointsAsync(range.From, range.To, cancellationToken).ConfigureAwait(false))
        {
            var day = range.IndexOf(p.At);
            if (day < 0 || day >= days.Length)
            {
                continue;
            }

            Of(platforms, p.Platform).Add(p.Outcome, p.LatencyMs);
            if (platform is null || p.Platform == platform)
            {
                days[day].Add(p.Outcome, p.LatencyMs);
            }
        }

        await foreach (var f in store.ReadFeedbackPointsAsync(range.From, range.To, cancellationToken).ConfigureAwait(false))
        {
            var day = range.IndexOf(f.QuestionAt);
            if (day < 0 || day >= days.Length)
            {
                continue;
            }

            Of(platforms, f.Platform).React(f.Reaction);
            if (platform is null || f.Platform == platform)
            {
                days[day].React(f.Reaction);
            }
        }

        return new OverviewModel(
            range,
            platform,
            days.Select((a, i) => new DayStats(range.First.AddDays(i), a.Answered, a.Abstained, a.Refused, a.Percentile(0.50), a.Percentile(0.99), a.Positive, a.Negative)).ToList(),
            platforms.Select(kv => new PlatformStats(kv.Key, kv.Value.Answered, kv.Value.Abstained, kv.Value.Refused, kv.Value.Percentile(0.50), kv.Value.Percentile(0.99), kv.Value.Positive, kv.Value.Negative)).ToList());
    }

    private static Accumulator Of(SortedDictionary<string, Accumulator> map, string key)
    {
        if (!map.TryGetValue(key, out var a))
        {
            map[key] = a = new Accumulator();
        }

        return a;
    }

    private sealed class Accumulator
    {
        private readonly List<double> _latencies = [];
        private bool _sorted = true;

        public int Answered { get; private set; }

        public int Abstained { get; private set; }

        public int Refused { get; private set; }

        public int Positive { get; private set; }

        public int Negative { get; private set; }

        public void Add(AnswerOutcome outcome, double latencyMs)
        {
            switch (outcome)
            {
                case AnswerOutcome.Answered:
                    Answered++;
                    break;
                case AnswerOutcome.Abstained:
                    Abstained++;
                    break;
                default:
                    Refused++;
                    return;
            }

            _latencies.Add(latencyMs);
            _sorted = false;
        }

        public void React(FeedbackReaction reaction)
        {
            if (reaction == FeedbackReaction.Positive)
            {
                Positive++;
            }
            else
            {
                Negative++;
            }
        }

        /// <summary>Nearest-rank percentile; null with no samples.</summary>
        public double? Percentile(double q)
        {
            if (_latencies.Count == 0)
            {
                return null;
            }

            if (!_sorted)
            {
                _latencies.Sort();
                _sorted = true;
            }

            var rank = (int)Math.Ceiling(q * _latencies.Count);
            return _latencies[Math.Clamp(rank - 1, 0, _latencies.Count - 1)];
        }
    }
}

/// <summary>Coverage gaps: questions the corpus did not answer (well), grouped by their main terms.</summary>
internal sealed record GapGroup(string Terms, int Asked, int Abstained, int LowConfidence, IReadOnlyList<string> Examples, IReadOnlyList<string> ClosestTopics, DateTimeOffset LastAsked)
{
    /// <summary>How many recent gap questions the page groups (newest first).</summary>
    public const int Window = 5000;

    /// <summary>
    /// Groups by <see cref="AuditReport.GapKey"/> (the analyzer's stems without stop words, up to four, sorted —
    /// the grouping <c>policybot report</c> uses), biggest groups first.
    /// </summary>
    public static IReadOnlyList<GapGroup> Group(IReadOnlyList<AuditRecord> records, int top)
    {
        ArgumentNullException.ThrowIfNull(records);
        var groups = new Dictionary<string, List<AuditRecord>>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            var key = AuditReport.GapKey(r.Question);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(r);
        }

        return groups
            .Select(kv => new GapGroup(
                kv.Key,
                kv.Value.Count,
                kv.Value.Count(r => r.Outcome == AnswerOutcome.Abstained),
                kv.Value.Count(r => r.Outcome == AnswerOutcome.Answered),
                kv.Value.Select(r => r.Question.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Take(3).ToList(),
                kv.Value.SelectMany(r => r.SuggestedTopics).GroupBy(t => t, StringComparer.OrdinalIgnoreCase)
                    .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.OrdinalIgnoreCase).Take(3).Select(g => g.Key).ToList(),
                kv.Value.Max(r => r.At)))
            .OrderByDescending(g => g.Asked).ThenByDescending(g => g.LastAsked).ThenBy(g => g.Terms, StringComparer.Ordinal)
            .Take(top)
            .ToList();
    }
}
