using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace PolicyBot.Host.Admin;

/// <summary>
/// The /admin dashboard's settings. Off unless <see cref="TokenSetting"/> is set, or <see cref="LocalSetting"/> is
/// true (then no token: only requests from loopback to a loopback host name are served).
/// </summary>
internal sealed class AdminOptions
{
    public const string TokenSetting = "POLICYBOT_ADMIN_TOKEN";
    public const string LocalSetting = "POLICYBOT_ADMIN_LOCAL";
    public const string StaleDaysSetting = "POLICYBOT_ADMIN_STALE_DAYS";
    public const string SignInLimitSetting = "POLICYBOT_ADMIN_SIGNIN_PER_MINUTE";
    public const string LowConfidenceSetting = "POLICYBOT_ADMIN_LOW_CONFIDENCE";

    /// <summary>Shorter tokens are refused at start: the token is the only thing between the Internet and the audit trail.</summary>
    public const int MinimumTokenLength = 16;

    public string? Token { get; set; }

    public bool LocalOnly { get; set; }

    public bool Enabled => Token is not null || LocalOnly;

    /// <summary>Documents published (or as of) longer ago than this are marked stale on the Corpus page.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Sign-in attempts per client address per minute (right or wrong); more get 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 5;

    /// <summary>Answers below this confidence are listed with the coverage gaps.</summary>
    public double LowConfidence { get; set; } = 0.5;

    /// <summary>Whether the configuration turns the dashboard on (then <c>serve</c> may run with no platform).</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Value(configuration, TokenSetting) is not null || Value(configuration, LocalSetting) is "true" or "1" or "yes";
    }

    /// <summary>Reads the settings; returns the problems, each naming its setting (never the token).</summary>
    public IReadOnlyList<string> Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        Token = Value(configuration, TokenSetting);
        if (Token is not null && Token.Length < MinimumTokenLength)
        {
            errors.Add($"{TokenSetting} must be at least {MinimumTokenLength} characters (for example: openssl rand -hex 32).");
        }

        if (Value(configuration, LocalSetting) is { } local)
        {
            switch (local.ToLowerInvariant())
            {
                case "true" or "1" or "yes":
                    LocalOnly = true;
                    break;
                case "false" or "0" or "no":
                    LocalOnly = false;
                    break;
                default:
                    errors.Add($"{LocalSetting} must be true or false.");
                    break;
            }
        }

        if (LocalOnly && Token is not null)
        {
            errors.Add($"Set either {TokenSetting} (sign-in with the token) or {LocalSetting}=true (loopback only, no sign-in), not both.");
        }

        if (Value(configuration, StaleDaysSetting) is { } days)
        {
            if (int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 36_500)
            {
                StaleAfter = TimeSpan.FromDays(d);
            }
            else
            {
                errors.Add($"{StaleDaysSetting} must be a whole number of days from 1 to 36500.");
            }
        }

        if (Value(configuration, SignInLimitSetting) is { } limit)
        {
            if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1000)
            {
                SignInAttemptsPerMinute = n;
            }
            else
            {
                errors.Add($"{SignInLimitSetting} must be a whole number from 1 to 1000.");
            }
        }

        if (Value(configuration, LowConfidenceSetting) is { } low)
        {
            if (double.TryParse(low, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c is >= 0 and <= 1)
            {
                LowConfidence = c;
            }
            else
            {
                errors.Add($"{LowConfidenceSetting} must be a number from 0 to 1.");
            }
        }

        return errors;
    }

    private static string? Value(IConfiguration configuration, string key) =>
        string.IsNullOrWhiteSpace(configuration[key]) ? null : configuration[key]!.Trim();
}
