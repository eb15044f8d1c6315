namespace PolicyBot.Core.State;

/// <summary>How the audit trail is kept: retention and whether user ids are hashed. The host binds it from its settings.</summary>
public sealed class AuditOptions
{
    /// <summary>How long questions are kept (default 90 days). <see cref="TimeSpan.Zero"/> keeps them until an operator deletes them.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the retention service prunes (daily).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The operator opted in to storing raw user ids instead of salted hashes.</summary>
    public bool RawUserIds { get; set; }

    /// <summary>Problems, each naming the property in braces (the host maps it to its setting name); empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Retention < TimeSpan.Zero || Retention > TimeSpan.FromDays(36_500))
        {
            problems.Add("{Retention} must be from 0 (keep forever) to 36500 days.");
        }

        if (PruneInterval <= TimeSpan.Zero)
        {
            problems.Add("{PruneInterval} must be positive.");
        }

        return problems;
    }
}
