using System.Security.Cryptography;
using System.Text;

namespace PolicyBot.Core.State;

/// <summary>
/// The one hashing rule for platform user ids: what the audit trail and feedback store is a salted SHA-256
/// (HMAC-SHA256 keyed with the operator's salt or the one the state store generated on first start, lowercase
/// hex), or the raw id when the operator opted in to raw ids.
/// </summary>
public sealed class UserIdHasher
{
    /// <summary>Shortest salt accepted for hashing user ids.</summary>
    public const int MinimumSaltLength = 16;

    /// <summary>The name of the generated salt in the state store (<see cref="ISecretStore"/>).</summary>
    public const string StoredSaltName = "user-id-salt";

    private readonly bool _raw;
    private byte[]? _key;

    private UserIdHasher(byte[]? key, bool raw)
    {
        _key = key;
        _raw = raw;
    }

    /// <summary>True when ids are stored as given.</summary>
    public bool StoresRawIds => _raw;

    /// <summary>True once the hasher has its salt (always, except for <see cref="AwaitingSalt"/> before <see cref="UseSalt"/>).</summary>
    public bool HasSalt => _raw || Volatile.Read(ref _key) is not null;

    /// <summary>A hasher keyed with <paramref name="salt"/> (at least <see cref="MinimumSaltLength"/> characters).</summary>
    public static UserIdHasher WithSalt(string salt) => new(KeyFrom(salt), raw: false);

    /// <summary>A pass-through: the operator opted in to raw ids.</summary>
    public static UserIdHasher RawIds { get; } = new(null, raw: true);

    /// <summary>
    /// A hasher whose salt comes later from the state store (first start generates it): <see cref="UseSalt"/> is called
    /// once, before anything is hashed; <see cref="Hash"/> throws until then rather than store an unsalted id.
    /// </summary>
    public static UserIdHasher AwaitingSalt() => new(null, raw: false);

    /// <summary>Gives an <see cref="AwaitingSalt"/> hasher its salt; once only.</summary>
    public void UseSalt(string salt)
    {
        if (_raw || Interlocked.CompareExchange(ref _key, KeyFrom(salt), null) is not null)
        {
            throw new InvalidOperationException("This user-id hasher already has its salt.");
        }
    }

    /// <summary>The stored form of <paramref name="userId"/>; null stays null.</summary>
    public string? Hash(string? userId)
    {
        if (userId is null || _raw)
        {
            return userId;
        }

        var key = Volatile.Read(ref _key) ?? throw new InvalidOperationException("The user-id salt has not been loaded from the state store yet.");
        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(userId), digest);
        return Convert.ToHexStringLower(digest);
    }

    private static byte[] KeyFrom(string salt)
    {
        ArgumentNullException.ThrowIfNull(salt);
        if (salt.Trim().Length < MinimumSaltLength)
        {
            throw new ArgumentException($"The user-id salt must be at least {MinimumSaltLength} characters.", nameof(salt));
        }

        return Encoding.UTF8.GetBytes(salt);
    }
}
