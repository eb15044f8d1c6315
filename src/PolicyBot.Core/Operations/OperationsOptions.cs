namespace PolicyBot.Core.Operations;

/// <summary>Limits for a running bot, bound by the host from its Limits section. Validation messages name properties in braces.</summary>
public sealed class OperationsOptions
{

    /// <summary>Per user: a burst of <see cref="RateLimit.Capacity"/> questions, refilled at one per <see cref="RateLimit.Per"/>.</summary>
    public RateLimit UserRate { get; set; } = new(5, TimeSpan.FromSeconds(60));

    /// <summary>Per channel.</summary>
    public RateLimit ChannelRate { get; set; } = new(30, TimeSpan.FromSeconds(60));

    /// <summary>True: keep buckets in the state store, shared by every process (PostgreSQL).</summary>
    public bool SharedRateLimits { get; set; }

    /// <summary>Answers computed at once.</summary>
    public int MaxConcurrentAnswers { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Questions allowed to wait for a slot; more are refused politely.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>On SIGTERM, how long questions in flight may take to finish.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Quiet time after the last corpus change before the index is refreshed.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest question answered, in characters; null keeps the answering default.</summary>
    public int? MaxQuestionChars { get; set; }

    /// <summary>Failures as operator messages naming the property in braces; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (UserRate.Capacity < 1 || UserRate.Per <= TimeSpan.Zero)
        {
            errors.Add($"{{UserRate}} must look like 5/60s (a burst of at least 1, refilled one per positive duration).");
        }

        if (ChannelRate.Capacity < 1 || ChannelRate.Per <= TimeSpan.Zero)
        {
            errors.Add($"{{ChannelRate}} must look like 30/60s (a burst of at least 1, refilled one per positive duration).");
        }

        if (MaxConcurrentAnswers is < 1 or > 1024)
        {
            errors.Add($"{{MaxConcurrentAnswers}} must be a whole number from 1 to 1024.");
        }

        if (QueueCapacity is < 0 or > 100_000)
        {
            errors.Add($"{{QueueCapacity}} must be a whole number from 0 to 100000.");
        }

        if (DrainTimeout < TimeSpan.Zero || DrainTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{{DrainTimeout}} must be from 0 to 600 seconds.");
        }

        if (ReloadDebounce < TimeSpan.Zero || ReloadDebounce > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{{ReloadDebounce}} must be from 0 to 300000 milliseconds.");
        }

        if (MaxQuestionChars is < 10 or > 100_000)
        {
            errors.Add("{MaxQuestionChars} must be a whole number from 10 to 100000.");
        }

        return errors;
    }
}

/// <summary>A token bucket: <paramref name="Capacity"/> tokens, one more every <paramref name="Per"/>.</summary>
public readonly record struct RateLimit(int Capacity, TimeSpan Per)
{
    public double RefillPerSecond => 1.0 / Per.TotalSeconds;

    /// <summary>Parses <c>N/DURATION</c> where DURATION is a number with s, m or h (<c>5/60s</c>, <c>100/1h</c>); null when malformed.</summary>
    public static RateLimit? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Trim().Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var capacity)
            || parts[1].Length < 2)
        {
            return null;
        }

        var unit = parts[1][^1];
        if (!double.TryParse(parts[1][..^1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return null;
        }

        TimeSpan? per = unit switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => null,
        };
        return per is { } p ? new RateLimit(capacity, p) : null;
    }

    public override string ToString() => $"{Capacity}/{Per.TotalSeconds:0.###}s";
}
