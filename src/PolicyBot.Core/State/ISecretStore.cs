namespace PolicyBot.Core.State;

/// <summary>
/// Named secrets the bot makes for itself on first start (the user-id salt) and keeps in the state store, so every
/// process on the same store (Teams replicas, Discord shards on one PostgreSQL) uses the same value.
/// </summary>
public interface ISecretStore
{
    /// <summary>
    /// The secret called <paramref name="name"/>; when none is stored yet, a new cryptographically random one
    /// (<see cref="StoredSecret.GeneratedByteLength"/> bytes, lowercase hex) is stored first. Concurrent callers,
    /// in this process or others, all get the same value, and exactly one of them sees <see cref="StoredSecret.Created"/>.
    /// </summary>
    Task<StoredSecret> GetOrCreateSecretAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A secret read from or just written to the store. <see cref="ToString"/> never shows the value.</summary>
public sealed class StoredSecret
{
    /// <summary>Random bytes in a generated secret (hex-encoded: twice as many characters).</summary>
    public const int GeneratedByteLength = 32;

    public StoredSecret(string name, string value, bool created)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(value);
        Name = name;
        Value = value;
        Created = created;
    }

    public string Name { get; }

    public string Value { get; }

    /// <summary>True when this call generated and stored the value (first start).</summary>
    public bool Created { get; }

    /// <summary>A new random value, lowercase hex.</summary>
    public static string Generate() =>
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(GeneratedByteLength));

    public override string ToString() => $"{Name} (value hidden)";
}
