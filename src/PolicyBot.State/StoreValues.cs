using System.Text;
using System.Text.Json.Serialization;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State;

/// <summary>Value conversions both stores share, so they behave identically.</summary>
internal static class StoreValues
{
    /// <summary>Rows per page when reading the audit trail.</summary>
    public const int AuditPageSize = 500;

    /// <summary>
    /// Which audit rows are coverage gaps (<see cref="AuditSelection.CoverageGaps"/>), in SQL both dialects read. The
    /// partial indexes of schema version 5 are declared with this very expression: SQLite uses a partial index only when
    /// the query repeats its WHERE term, so queries must use this constant, unchanged.
    /// </summary>
    public const string CoverageGapCondition = "(outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'))";

    /// <summary>Float slack for the token bucket, so 0.1 × 10 s still makes one token.</summary>
    public const double TokenEpsilon = 1e-9;

    /// <summary>Microseconds since the Unix epoch (PostgreSQL's precision; both stores truncate to it).</summary>
    public static long ToMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);

    /// <summary><paramref name="now"/> + <paramref name="lifetime"/> in microseconds, saturating instead of overflowing.</summary>
    public static long ExpiryMicroseconds(DateTimeOffset now, TimeSpan lifetime)
    {
        var start = ToMicroseconds(now);
        var span = lifetime.Ticks / TimeSpan.TicksPerMicrosecond;
        return span > long.MaxValue - start ? long.MaxValue : start + span;
    }

    /// <summary><paramref name="value"/> in UTC, truncated to microseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) => FromMicroseconds(ToMicroseconds(value));

    /// <summary>
    /// Text both databases can hold: NUL (PostgreSQL rejects it) and unpaired surrogates (not encodable
    /// as UTF-8) become U+FFFD. Everything else is kept verbatim.
    /// </summary>
    public static string Clean(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bad = false;
        for (var i = 0; i < value.Length && !bad; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                bad = true;
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else
                {
                    bad = true;
                }
            }
            else if (char.IsLowSurrogate(c))
            {
                bad = true;
            }
        }

        if (!bad)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            // EnumerateRunes yields U+FFFD for unpaired surrogates already.
            builder.Append(rune.Value == 0 ? Rune.ReplacementChar : rune);
        }

        return builder.ToString();
    }

    public static string? CleanOrNull(string? value) => value is null ? null : Clean(value);

    public static string[] Clean(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new string[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Clean(values[i] ?? throw new ArgumentException("Lists may not hold null.", nameof(values)));
        }

        return result;
    }

    public static void CheckBucket(string bucketKey, int capacity, double refillPerSecond)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucketKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (!double.IsFinite(refillPerSecond) || refillPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond, "The refill rate must be a finite number ≥ 0.");
        }
    }

    public static void CheckRecord(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.AnswerId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.Platform, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Question, nameof(record));
        if (!double.IsFinite(record.LatencyMs))
        {
            throw new ArgumentException("LatencyMs must be finite.", nameof(record));
        }
    }

    public static void CheckFeedback(Feedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentException.ThrowIfNullOrEmpty(feedback.AnswerId, nameof(feedback));
        ArgumentException.ThrowIfNullOrEmpty(feedback.Platform, nameof(feedback));
    }
}

[JsonSerializable(typeof(string[]))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;

/// <summary>Checks and conversions of watch subscriptions, shared by both stores.</summary>
internal static class WatchValues
{
    /// <summary>Longest delivery reference stored (a Teams conversation reference is well under 2 KB).</summary>
    public const int MaxReferenceChars = 8192;

    public static void Check(PolicyBot.Core.Watching.Watch watch, int maxPerChannel)
    {
        ArgumentNullException.ThrowIfNull(watch);
        CheckChannel(watch.Platform, watch.ChannelId);
        StateKey.Check(watch.Key, nameof(watch));
        StateKey.Check(watch.Label, nameof(watch));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerChannel, 1);
        if (watch.Reference is { Length: > MaxReferenceChars })
        {
            throw new ArgumentException($"A watch reference may hold at most {MaxReferenceChars} characters.", nameof(watch));
        }
    }

    public static void CheckChannel(string platform, string channelId)
    {
        StateKey.Check(platform, nameof(platform));
        StateKey.Check(channelId, nameof(channelId));
    }

    public static string Kind(PolicyBot.Core.Watching.WatchKind kind) => kind == PolicyBot.Core.Watching.WatchKind.Jurisdiction ? "jurisdiction" : "topic";

    public static PolicyBot.Core.Watching.WatchKind Kind(string kind) => kind == "jurisdiction" ? PolicyBot.Core.Watching.WatchKind.Jurisdiction : PolicyBot.Core.Watching.WatchKind.Topic;
}
