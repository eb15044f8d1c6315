using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
}

/// <summary>
/// Builds the Overview: counts come from the database (grouped there, always current); latency percentiles need
/// every latency, so each day's latencies are kept here, sorted, per platform, and reused while the database's
/// count of that day's answered and abstained questions still matches (a finished day never changes; today is
/// re-read when it grew; a pruned day drops out). Percentiles stay exact.
/// </summary>
internal sealed class OverviewBuilder(IAuditQueries store)
{
    private readonly ConcurrentDictionary<DateOnly, IReadOnlyDictionary<string, double[]>> _latencies = new();

    // Merged, sorted samples derived from the cached day arrays, keyed by those (immutable) arrays, so a page view
    // sorts only what changed: a day's platforms together, and a platform over the finished days of a range.
    private readonly ConditionalWeakTable<IReadOnlyDictionary<string, double[]>, double[]> _dayMerged = new();
    private readonly ConcurrentDictionary<(DateOnly First, DateOnly Last, string Platform), (double[][] Parts, double[] Merged)> _rangeMerged = new();

    public async Task<OverviewModel> BuildAsync(DayRange range, string? platform, CancellationToken cancellationToken)
    {
        var counts = await store.CountAuditByDayAsync(range.First, range.Last.AddDays(1), cancellationToken).ConfigureAwait(false);
        var reactions = await store.CountFeedbackByDayAsync(range.First, range.Last.AddDays(1), cancellationToken).ConfigureAwait(false);
        var latencies = await LatenciesAsync(range, counts, cancellationToken).ConfigureAwait(false);

        var days = new List<DayStats>(range.Days);
        for (var i = 0; i < range.Days; i++)
        {
            var day = range.First.AddDays(i);
            var today = counts.Where(c => c.Day == day && (platform is null || c.Platform == platform)).ToList();
            var rated = reactions.Where(r => r.Day == day && (platform is null || r.Platform == platform)).ToList();
            var sample = !latencies.TryGetValue(day, out var byPlatform) ? []
                : platform is null ? _dayMerged.GetValue(byPlatform, d => Merge(d.Values))
                : byPlatform.GetValueOrDefault(platform) ?? [];
            days.Add(new DayStats(
                day,
                Sum(today, AnswerOutcome.Answered),
                Sum(today, AnswerOutcome.Abstained),
                Sum(today, AnswerOutcome.Refused),
                Percentile(sample, 0.50),
                Percentile(sample, 0.99),
                rated.Where(r => r.Reaction == FeedbackReaction.Positive).Sum(r => r.Count),
                rated.Where(r => r.Reaction == FeedbackReaction.Negative).Sum(r => r.Count)));
        }

        var platforms = counts.Select(c => c.Platform).Concat(reactions.Select(r => r.Platform)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(p =>
            {
                var mine = counts.Where(c => c.Platform == p).ToList();
                var sample = RangeSample(range, p, latencies);
                return new PlatformStats(
                    p,
                    Sum(mine, AnswerOutcome.Answered),
                    Sum(mine, AnswerOutcome.Abstained),
                    Sum(mine, AnswerOutcome.Refused),
                    Percentile(sample, 0.50),
                    Percentile(sample, 0.99),
                    reactions.Where(r => r.Platform == p && r.Reaction == FeedbackReaction.Positive).Sum(r => r.Count),
                    reactions.Where(r => r.Platform == p && r.Reaction == FeedbackReaction.Negative).Sum(r => r.Count));
            })
            .ToList();
        return new OverviewModel(range, platform, days, platforms);
    }

    /// <summary>Each day's sorted latencies per platform, read from the store for the days whose cached copy is missing or stale.</summary>
    private async Task<Dictionary<DateOnly, IReadOnlyDictionary<string, double[]>>> LatenciesAsync(DayRange range, IReadOnlyList<AuditDayCount> counts, CancellationToken cancellationToken)
    {
        var searched = counts.Where(c => c.Outcome != AnswerOutcome.Refused)
            .GroupBy(c => c.Day)
            .ToDictionary(g => g.Key, g => g.GroupBy(c => c.Platform, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Sum(c => c.Count), StringComparer.Ordinal));
        var result = new Dictionary<DateOnly, IReadOnlyDictionary<string, double[]>>();
        var stale = new List<DateOnly>();
        foreach (var (day, expected) in searched)
        {
            if (_latencies.TryGetValue(day, out var cached) && cached.Count == expected.Count && expected.All(kv => cached.TryGetValue(kv.Key, out var a) && a.Length == kv.Value))
            {
                result[day] = cached;
            }
            else
            {
                stale.Add(day);
            }
        }

        // One read per run of consecutive stale days.
        stale.Sort();
        for (var i = 0; i < stale.Count;)
        {
            var j = i;
            while (j + 1 < stale.Count && stale[j + 1].DayNumber == stale[j].DayNumber + 1)
            {
                j++;
            }

            var points = await store.ReadLatenciesAsync(stale[i], stale[j].AddDays(1), cancellationToken).ConfigureAwait(false);
            foreach (var day in points.GroupBy(p => p.Day))
            {
                IReadOnlyDictionary<string, double[]> byPlatform = day.GroupBy(p => p.Platform, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g =>
                    {
                        var values = g.Select(p => p.LatencyMs).ToArray();
                        Array.Sort(values);
                        return values;
                    }, StringComparer.Ordinal);
                result[day.Key] = byPlatform;
                _latencies[day.Key] = byPlatform;
            }

            i = j + 1;
        }

        // Keep at most the longest range's worth of days.
        var oldest = range.Last.AddDays(-DayRange.Choices.Max());
        foreach (var day in _latencies.Keys.Where(d => d < oldest || d > range.Last.AddDays(1)))
        {
            _latencies.TryRemove(day, out _);
        }

        return result;
    }

    /// <summary>A platform's latencies over the range: the finished days merged once (while they stay the same arrays), then today merged in linearly.</summary>
    private double[] RangeSample(DayRange range, string platform, Dictionary<DateOnly, IReadOnlyDictionary<string, double[]>> latencies)
    {
        var parts = latencies.Where(kv => kv.Key < range.Last).OrderBy(kv => kv.Key)
            .Select(kv => kv.Value.GetValueOrDefault(platform)).OfType<double[]>().ToArray();
        var key = (range.First, range.Last, platform);
        double[] past;
        if (_rangeMerged.TryGetValue(key, out var cached) && cached.Parts.Length == parts.Length && cached.Parts.Zip(parts).All(x => ReferenceEquals(x.First, x.Second)))
        {
            past = cached.Merged;
        }
        else
        {
            past = parts.Length == 0 ? [] : Merge(parts);
            _rangeMerged[key] = (parts, past);
            foreach (var old in _rangeMerged.Keys.Where(k => k.Last != range.Last))
            {
                _rangeMerged.TryRemove(old, out _);
            }
        }

        var today = latencies.TryGetValue(range.Last, out var t) ? t.GetValueOrDefault(platform) : null;
        return today is null ? past : MergeSorted(past, today);
    }

    private static double[] MergeSorted(double[] a, double[] b)
    {
        var all = new double[a.Length + b.Length];
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            all[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }

        Array.Copy(a, i, all, k, a.Length - i);
        Array.Copy(b, j, all, k + a.Length - i, b.Length - j);
        return all;
    }

    private static int Sum(IEnumerable<AuditDayCount> counts, AnswerOutcome outcome) => counts.Where(c => c.Outcome == outcome).Sum(c => c.Count);

    private static double[] Merge(IEnumerable<double[]> sorted)
    {
        var parts = sorted.ToList();
        if (parts.Count == 1)
        {
            return parts[0];
        }

        if (parts.Count == 2)
        {
            return MergeSorted(parts[0], parts[1]);
        }

        var all = new double[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var p in parts)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }

        Array.Sort(all);
        return all;
    }

    /// <summary>Nearest-rank percentile of sorted values; null with none.</summary>
    internal static double? Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>Coverage gaps: questions the corpus did not answer (well), grouped by their main terms.</summary>
internal sealed record GapGroup(string Terms, int Asked, int Abstained, int LowConfidence, IReadOnlyList<string> Examples, IReadOnlyList<string> ClosestTopics, DateTimeOffset LastAsked)
{
    /// <summary>How many groups the page shows (the biggest).</summary>
    public const int Top = 50;

    /// <summary>How many of a group's newest questions the page reads for its examples and closest topics.</summary>
    public const int Samples = 20;

    /// <summary>
    /// The page's view of a group the store counted (grouped by the main terms stored with each record — the
    /// analyser's stems without stop words, up to four, sorted; the grouping <c>policybot report</c> uses): up to
    /// three distinct example questions and the three topics named most often, both from its newest questions.
    /// </summary>
    public static GapGroup From(CoverageGapGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return new GapGroup(
            group.Terms,
            group.Asked,
            group.Abstained,
            group.LowConfidence,
            group.Newest.Select(r => r.Question.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Take(3).ToList(),
            group.Newest.SelectMany(r => r.SuggestedTopics).GroupBy(t => t, StringComparer.OrdinalIgnoreCase)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.OrdinalIgnoreCase).Take(3).Select(g => g.Key).ToList(),
            group.LastAsked);
    }
}
