using System.Globalization;

namespace PolicyBot.Core.Commands;

/// <summary>What every platform tells users about logging: one wording, with the configured retention.</summary>
public static class PrivacyNotice
{
    /// <summary>The audit retention from a days value as configured (default 90 days; 0 = kept until deleted).</summary>
    public static TimeSpan RetentionFrom(string? auditDays) =>
        int.TryParse(auditDays, NumberStyles.None, CultureInfo.InvariantCulture, out var days) ? TimeSpan.FromDays(days) : TimeSpan.FromDays(90);

    /// <summary>"Questions are logged … for N days …; answers are extracts, not advice."</summary>
    public static string Text(TimeSpan retention)
    {
        var kept = retention <= TimeSpan.Zero
            ? "kept until an operator deletes them"
            : $"kept for {retention.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days";
        return $"Questions are logged with a hashed user id, the answer given and any 👍/👎 feedback, and {kept}. " +
            "Answers are extracts from the cited documents, not legal or professional advice.";
    }
}
