using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.State;

/// <summary>
/// The reads the admin dashboard makes on the audit trail: narrow rows for the charts and filtered, newest-first
/// pages for the lists. Both stores index what these filter on (time, outcome, platform, reaction).
/// </summary>
public interface IAuditQueries
{
    /// <summary>One point per question asked in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    IAsyncEnumerable<AuditPoint> ReadAuditPointsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>One point per 👍/👎 on a question asked in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    IAsyncEnumerable<FeedbackPoint> ReadFeedbackPointsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The newest records that match <paramref name="filter"/>, at most <see cref="AuditFilter.Limit"/>, with linked feedback.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken);
}

/// <summary>A question as the overview charts need it.</summary>
public readonly record struct AuditPoint(DateTimeOffset At, string Platform, AnswerOutcome Outcome, double LatencyMs);

/// <summary>A reaction, dated by the question it rates.</summary>
public readonly record struct FeedbackPoint(DateTimeOffset QuestionAt, string Platform, FeedbackReaction Reaction);

/// <summary>Which records a dashboard list shows.</summary>
public enum AuditSelection
{
    /// <summary>Every record.</summary>
    All,

    /// <summary>Abstentions, plus answers whose confidence is below <see cref="AuditFilter.ConfidenceBelow"/>.</summary>
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

    /// <summary>With <see cref="AuditSelection.CoverageGaps"/>: answers below this confidence count as gaps.</summary>
    public double ConfidenceBelow { get; init; } = 0.5;

    public int Limit { get; init; } = 200;
}
