using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.State;

/// <summary>
/// The reads the admin dashboard makes on the audit trail: narrow rows for the charts and filtered, newest-first
/// pages for the lists. Both stores index what these filter on (time, outcome, platform, reaction).
/// </summary>
public interface IAuditQueries
{
    /// <summary>Questions per UTC day, platform and outcome, asked on the days from <paramref name="first"/> up to (not including) <paramref name="end"/>; counted by the database.</summary>
    Task<IReadOnlyList<AuditDayCount>> CountAuditByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken);

    /// <summary>Reactions per UTC day (of the question rated), platform (the reaction's) and reaction, on questions asked on the days [<paramref name="first"/>, <paramref name="end"/>).</summary>
    Task<IReadOnlyList<FeedbackDayCount>> CountFeedbackByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken);

    /// <summary>The latency of every answered or abstained question asked on the days [<paramref name="first"/>, <paramref name="end"/>) (refusals never searched).</summary>
    Task<IReadOnlyList<LatencyPoint>> ReadLatenciesAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken);

    /// <summary>The newest records that match <paramref name="filter"/>, at most <see cref="AuditFilter.Limit"/>, with linked feedback when asked.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// Coverage gaps asked in [<paramref name="from"/>, <paramref name="to"/>) — abstentions and low-confidence answers
    /// (<see cref="AuditSelection.CoverageGaps"/>) — grouped by their stored <see cref="AuditRecord.MainTerms"/> in the
    /// database: the <paramref name="top"/> biggest groups (most asked, then most recently asked), each with its newest
    /// <paramref name="samples"/> questions.
    /// </summary>
    Task<CoverageGaps> GroupCoverageGapsAsync(DateTimeOffset from, DateTimeOffset to, int top, int samples, CancellationToken cancellationToken);

    /// <summary>
    /// Reactions recorded at [<paramref name="from"/>, <paramref name="to"/>) (null: unbounded), in the order they were
    /// recorded, at most <paramref name="limit"/> (the oldest first), whether or not their question was audited.
    /// </summary>
    Task<IReadOnlyList<Feedback>> QueryFeedbackAsync(DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IAuditQueries.GroupCoverageGapsAsync"/> found: all gap questions and groups in the range, and the biggest groups.</summary>
public sealed record CoverageGaps(int Questions, int GroupCount, IReadOnlyList<CoverageGapGroup> Groups);

/// <summary>One group of gap questions sharing their main terms.</summary>
public sealed record CoverageGapGroup(string Terms, int Asked, int Abstained, int LowConfidence, DateTimeOffset LastAsked, IReadOnlyList<CoverageGapSample> Newest);

/// <summary>One question of a group, newest first: what was asked and the topics the bot named instead.</summary>
public sealed record CoverageGapSample(string Question, DateTimeOffset At, IReadOnlyList<string> SuggestedTopics);

public readonly record struct AuditDayCount(DateOnly Day, string Platform, AnswerOutcome Outcome, int Count);

public readonly record struct FeedbackDayCount(DateOnly Day, string Platform, FeedbackReaction Reaction, int Count);

public readonly record struct LatencyPoint(DateOnly Day, string Platform, double LatencyMs);

/// <summary>UTC days as the stores count them: whole days since the Unix epoch.</summary>
public static class AuditDays
{
    private static readonly int Epoch = new DateOnly(1970, 1, 1).DayNumber;

    public static DateOnly FromEpochDay(long day) => DateOnly.FromDayNumber(checked((int)(Epoch + day)));

    public static long ToEpochDay(DateOnly day) => day.DayNumber - Epoch;

    public static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static DateOnly Of(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
}

/// <summary>Which records a dashboard list shows.</summary>
public enum AuditSelection
{
    /// <summary>Every record.</summary>
    All,

    /// <summary>Abstentions, plus answers of low confidence (the corpus only partly covered the question).</summary>
    CoverageGaps,

    /// <summary>Records with at least one 👎.</summary>
    NegativeFeedback,
}

public sealed record AuditFilter
{
    public AuditSelection Selection { get; init; } = AuditSelection.All;

    /// <summary>Inclusive lower bound on the question time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive upper bound on the question time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only this platform ("discord", "teams", …); null for all.</summary>
    public string? Platform { get; init; }

    public int Limit { get; init; } = 200;

    /// <summary>Read each record's feedback too (the Feedback page); the gaps page does without.</summary>
    public bool IncludeFeedback { get; init; } = true;
}
