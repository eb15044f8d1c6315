using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.State;

/// <summary>
/// The bot's durable state: audit trail, feedback, per-server settings, shared rate-limit counters, generated
/// secrets, expiring caches, delivery claims and watch subscriptions. Two implementations pass the same test suite: SQLite (a file
/// beside the index, the default) and PostgreSQL. Adapters take the small interfaces, never this one.
/// </summary>
public interface IBotStore : IFeedbackSink, IServerSettingsStore, ISecretStore, IExpiringCache, IDeliveryClaims, IWatchStore, IAuditQueries, IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema. Idempotent; safe to call from several processes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Records one question and what the bot did with it.</summary>
    Task RecordQuestionAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>Records many questions in one transaction (bulk loads: <c>policybot bench --admin</c>, imports); returns how many were new.</summary>
    Task<int> RecordQuestionsAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// Computes and stores the main terms of up to <paramref name="limit"/> searched records that have none (written
    /// before schema version 5); returns how many it filled, 0 when none is left.
    /// </summary>
    Task<int> FillMainTermsAsync(Text.IQuestionTerms terms, int limit, CancellationToken cancellationToken);

    /// <summary>Audit records at or after <paramref name="since"/>, oldest first, with linked feedback.</summary>
    IAsyncEnumerable<AuditRecord> ReadAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Deletes audit records and their feedback older than <paramref name="olderThan"/>; returns how many records went.</summary>
    Task<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);

    /// <summary>
    /// Refreshes the planner's statistics of the audit trail and, on PostgreSQL, vacuums it (so index-only scans skip
    /// the heap): what the database wants after a bulk load or a big prune. Called by the daily retention round.
    /// </summary>
    Task OptimizeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes one token from the named bucket (capacity <paramref name="capacity"/>, refilled at
    /// <paramref name="refillPerSecond"/>); false when the bucket is empty. Shared across processes on PostgreSQL.
    /// </summary>
    Task<bool> TryTakeTokenAsync(string bucketKey, int capacity, double refillPerSecond, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Per-server settings made by members with Manage Server (Discord) or team owners.</summary>
public interface IServerSettingsStore
{
    /// <summary>The channels the bot answers mentions in; null means every channel it can read.</summary>
    Task<IReadOnlyList<string>?> GetAnswerChannelsAsync(string platform, string serverId, CancellationToken cancellationToken);

    /// <summary>Sets (or, with null, clears) the channel allow-list of a server.</summary>
    Task SetAnswerChannelsAsync(string platform, string serverId, IReadOnlyList<string>? channelIds, CancellationToken cancellationToken);
}

/// <summary>One question in the audit trail.</summary>
public sealed record AuditRecord
{
    public required string AnswerId { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Platform { get; init; }

    public string? ServerId { get; init; }

    public string? ChannelId { get; init; }

    /// <summary>Salted SHA-256 of the user id (hex), or the raw id when the operator opted in.</summary>
    public string? UserHash { get; init; }

    public required string Question { get; init; }

    public required AnswerOutcome Outcome { get; init; }

    public string? Reason { get; init; }

    /// <summary>Cited passage ids, best first.</summary>
    public IReadOnlyList<string> CitedPassageIds { get; init; } = [];

    public string CorpusVersion { get; init; } = "";

    public double LatencyMs { get; init; }

    /// <summary>What the bot said: the answer with its [n] markers, or the abstention or refusal message.</summary>
    public string? AnswerText { get; init; }

    /// <summary>The topics the bot offered instead when it abstained (closest topics the corpus does cover).</summary>
    public IReadOnlyList<string> SuggestedTopics { get; init; } = [];

    /// <summary>How well the evidence covered the question ("Low", "Medium", "High"), when the engine reports it; null for abstentions and refusals.</summary>
    public string? Confidence { get; init; }

    /// <summary>
    /// The question's main terms (<see cref="Text.IQuestionTerms"/>), computed when it was recorded — the coverage-gap
    /// grouping key. Null for refusals (never searched) and for records written before schema version 5 until the
    /// start-up backfill reaches them.
    /// </summary>
    public string? MainTerms { get; init; }

    /// <summary>Feedback linked to this answer (filled when reading).</summary>
    public IReadOnlyList<Feedback> Feedback { get; init; } = [];
}
