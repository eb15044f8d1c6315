namespace PolicyBot.Core.State;

/// <summary>The rule for names and keys the store indexes (cache scopes and keys, claim scopes and ids).</summary>
public static class StateKey
{
    /// <summary>Longest name or key accepted, in characters.</summary>
    public const int MaxLength = 512;

    /// <summary>Throws unless <paramref name="key"/> is non-empty and at most <see cref="MaxLength"/> characters.</summary>
    public static void Check(string key, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(key, parameterName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, MaxLength, parameterName);
    }
}
