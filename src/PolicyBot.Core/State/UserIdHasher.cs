using System.Security.Cryptography;
using System.Text;

namespace PolicyBot.Core.State;

/// <summary>
/// The one hashing rule for platform user ids: what the audit trail and feedback store is a salted SHA-256
/// (HMAC-SHA256 keyed with the operator's or the store's generated salt, lowercase hex), or the raw id when
/// the operator opted in to raw ids.
/// </summary>
public sealed class UserIdHasher
{
    /// <summary>Shortest salt accepted for hashing user ids.</summary>
    public const int MinimumSaltLength = 16;

    private readonly byte[]? _key;

    private UserIdHasher(byte[]? key)
    {
        _key = key;
    }

    /// <summary>True when ids are stored as given.</summary>
    public bool StoresRawIds => _key is null;

    /// <summary>A hasher keyed with <paramref name="salt"/> (at least <see cref="MinimumSaltLength"/> characters).</summary>
    public static UserIdHasher WithSalt(string salt)
    {
        ArgumentNullException.ThrowIfNull(salt);
        if (salt.Trim().Length < MinimumSaltLength)
        {
            throw new ArgumentException($"The user-id salt must be at least {MinimumSaltLength} characters.", nameof(salt));
        }

        return new UserIdHasher(Encoding.UTF8.GetBytes(salt));
    }

    /// <summary>A pass-through: the operator opted in to raw ids.</summary>
    public static UserIdHasher RawIds { get; } = new(null);

    /// <summary>The stored form of <paramref name="userId"/>; null stays null.</summary>
    public string? Hash(string? userId)
    {
        if (userId is null || _key is null)
        {
            return userId;
        }

        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(userId), digest);
        return Convert.ToHexStringLower(digest);
    }
}
