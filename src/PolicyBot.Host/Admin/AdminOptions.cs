namespace PolicyBot.Host.Admin;

/// <summary>
/// The /admin dashboard's options (section <c>Admin</c>; the flat names are in <c>Configuration/SettingKeys</c>).
/// Off unless <see cref="Token"/> is set, or <see cref="LocalOnly"/> is true (then no token: only requests from
/// loopback to a loopback host name are served).
/// </summary>
internal sealed class AdminOptions
{
    /// <summary>Shorter tokens are refused at start: the token is the only thing between the Internet and the audit trail.</summary>
    public const int MinimumTokenLength = 16;

    public string? Token { get; set; }

    public bool LocalOnly { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Token) || LocalOnly;

    /// <summary>Documents published (or as of) longer ago than this are marked stale on the Corpus page.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Sign-in attempts per client address per minute (right or wrong); more get 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 5;

    /// <summary>Problems with <c>{Property}</c> placeholders (the key table names them); never the token.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(Token) && Token.Length < MinimumTokenLength)
        {
            errors.Add($"{{Token}} must be at least {MinimumTokenLength} characters (for example: openssl rand -hex 32).");
        }

        if (LocalOnly && !string.IsNullOrEmpty(Token))
        {
            errors.Add("Set either {Token} (sign-in with the token) or {LocalOnly}=true (loopback only, no sign-in), not both.");
        }

        if (StaleAfter < TimeSpan.FromDays(1))
        {
            errors.Add("{StaleAfter} must be at least 1 day.");
        }

        if (SignInAttemptsPerMinute is < 1 or > 1000)
        {
            errors.Add("{SignInAttemptsPerMinute} must be from 1 to 1000.");
        }

        return errors;
    }
}
