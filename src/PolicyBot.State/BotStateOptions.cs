using Microsoft.Extensions.Options;
using PolicyBot.Core.State;

namespace PolicyBot.State;

/// <summary>State store settings, read from the environment (names below) by the host.</summary>
public sealed class BotStateOptions
{
    public const string DatabaseSetting = "POLICYBOT_DATABASE";
    public const string AuditDaysSetting = "POLICYBOT_AUDIT_DAYS";
    public const string UserSaltSetting = "POLICYBOT_USER_SALT";
    public const string RawUserIdsSetting = "POLICYBOT_AUDIT_RAW_IDS";

    /// <summary>Shortest salt accepted for hashing user ids.</summary>
    public const int MinimumSaltLength = UserIdHasher.MinimumSaltLength;

    /// <summary>
    /// <c>POLICYBOT_DATABASE</c>: a PostgreSQL URL (<c>postgres://user:pass@host:5432/db?sslmode=require</c>) or
    /// Npgsql key=value string. Unset: SQLite beside the index.
    /// </summary>
    public string? Database { get; set; }

    /// <summary><c>POLICYBOT_AUDIT_DAYS</c> (default 90 days). <see cref="TimeSpan.Zero"/> keeps audit records forever.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the retention service prunes (daily).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary><c>POLICYBOT_USER_SALT</c>: the salt user ids are hashed with. Required unless <see cref="RawUserIds"/>.</summary>
    public string? UserSalt { get; set; }

    /// <summary><c>POLICYBOT_AUDIT_RAW_IDS=true</c>: the operator opted in to storing raw user ids.</summary>
    public bool RawUserIds { get; set; }

    /// <summary>The hasher these (validated) options ask for: raw ids when opted in, otherwise salted.</summary>
    public UserIdHasher CreateHasher() => RawUserIds
        ? UserIdHasher.RawIds
        : UserIdHasher.WithSalt(UserSalt ?? throw new InvalidOperationException($"{UserSaltSetting} is not set."));
}

/// <summary>Checks <see cref="BotStateOptions"/> at start; messages name the environment setting to fix.</summary>
public sealed class BotStateOptionsValidator : IValidateOptions<BotStateOptions>
{
    public ValidateOptionsResult Validate(string? name, BotStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AuditRetention < TimeSpan.Zero)
        {
            failures.Add($"{BotStateOptions.AuditDaysSetting} must be 0 (keep forever) or a positive number of days.");
        }

        if (options.PruneInterval <= TimeSpan.Zero)
        {
            failures.Add("The audit prune interval must be positive.");
        }

        if (!options.RawUserIds && (options.UserSalt is null || options.UserSalt.Trim().Length < BotStateOptions.MinimumSaltLength))
        {
            failures.Add(
                $"{BotStateOptions.UserSaltSetting} must be set to a random secret of at least {BotStateOptions.MinimumSaltLength} characters " +
                $"(e.g. `openssl rand -hex 32`) so user ids are stored hashed; or set {BotStateOptions.RawUserIdsSetting}=true to store raw ids.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
