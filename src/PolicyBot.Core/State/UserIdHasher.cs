using System.Security.Cryptography;
using System.Text;

namespace PolicyBot.Core.State;

/// <summary>
/// Turns platform user ids into what the audit trail stores: a salted SHA-256 (HMAC-SHA256 keyed with
/// <c>POLICYBOT_USER_SALT</c>, lowercase hex), or the raw id when the operator set <c>POLICYBOT_AUDIT_RAW_IDS=true</c>.
/// </summary>
public sealed class UserIdHasher
{
    private readonly byte[]? _key;

    private UserIdHasher(byte[]? key)
    {
        _key = key;
    }

    /// <summary>True when ids are stored as given.</summary>
    public bool StoresRawIds => _key is null;

    /// <summary>A hasher keyed with <paramref name="salt"/> (at least <see cref="BotStateOptions.MinimumSaltLength"/> characters).</summary>
    public static UserIdHasher WithSalt(string salt)
    {
        ArgumentNullException.ThrowIfNull(salt);
        if (salt.Trim().Length < BotStateOptions.MinimumSaltLength)
        {
            throw new ArgumentException(
                $"{BotStateOptions.UserSaltSetting} must be at least {BotStateOptions.MinimumSaltLength} characters.", nameof(salt));
        }

        return new UserIdHasher(Encoding.UTF8.GetBytes(salt));
    }

    /// <summary>A pass-through: the operator opted in to raw ids.</summary>
    public static UserIdHasher RawIds { get; } = new(null);

    /// <summary>From validated options: raw ids when opted in, otherwise salted.</summary>
    public static UserIdHasher FromOptions(BotStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.RawUserIds
            ? RawIds
            : WithSalt(options.UserSalt ?? throw new ArgumentException($"{BotStateOptions.UserSaltSetting} is not set.", nameof(options)));
    }

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
