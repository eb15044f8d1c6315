namespace PolicyBot.Core.State;

/// <summary>
/// A bounded, expiring key-value cache in the state store, kept per scope (the Discord Sources-button cache, the
/// thread → previous-question map): it survives a restart and, on PostgreSQL, is shared by every process.
/// Values are opaque text (the caller's JSON).
/// </summary>
public interface IExpiringCache
{
    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> until <paramref name="now"/> +
    /// <see cref="CacheScope.TimeToLive"/>, replacing an earlier value. A set counts as the newest use of the key;
    /// when the scope then holds more than <see cref="CacheScope.Capacity"/> live entries, the least recently set go.
    /// </summary>
    Task SetAsync(CacheScope scope, string key, string value, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The value under <paramref name="key"/>, or null when there is none or it has expired at <paramref name="now"/>.</summary>
    Task<string?> GetAsync(CacheScope scope, string key, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="key"/>; true when a live or expired entry was there.</summary>
    Task<bool> RemoveAsync(CacheScope scope, string key, CancellationToken cancellationToken);
}

/// <summary>One cache: its name, how many entries it keeps at most and how long each lives.</summary>
public sealed record CacheScope
{
    /// <summary>Largest value accepted, in characters.</summary>
    public const int MaxValueLength = 256 * 1024;

    public CacheScope(string name, int capacity, TimeSpan timeToLive)
    {
        StateKey.Check(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        Name = name;
        Capacity = capacity;
        TimeToLive = timeToLive;
    }

    public string Name { get; }

    public int Capacity { get; }

    public TimeSpan TimeToLive { get; }

    /// <summary>Checks a value: not null and at most <see cref="MaxValueLength"/> characters.</summary>
    public static void CheckValue(string value, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, MaxValueLength, parameterName);
    }
}
