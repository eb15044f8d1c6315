using Microsoft.Extensions.Options;
using PolicyBot.Core.State;
using PolicyBot.State.Postgres;

namespace PolicyBot.State;

/// <summary>
/// Where the state lives and the operator's salt. Validation messages name the property in braces
/// (<c>{Database}</c>); the host, which alone knows the setting names, replaces them.
/// </summary>
public sealed class BotStateOptions
{
    /// <summary>
    /// A PostgreSQL URL (<c>postgres://user:pass@host:5432/db?sslmode=require</c>) or Npgsql key=value string.
    /// Unset: SQLite beside the index.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>
    /// The salt user ids are hashed with. Unset: the store generates one on first start and keeps it (SQLite: in the
    /// owner-only state file; PostgreSQL: in its secrets table, shared by every replica).
    /// </summary>
    public string? UserSalt { get; set; }
}

/// <summary>Checks <see cref="BotStateOptions"/> at start.</summary>
public sealed class BotStateOptionsValidator : IValidateOptions<BotStateOptions>
{
    public ValidateOptionsResult Validate(string? name, BotStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.UserSalt is { } salt && salt.Trim().Length < UserIdHasher.MinimumSaltLength)
        {
            failures.Add(
                $"{{UserSalt}} must be a random secret of at least {UserIdHasher.MinimumSaltLength} characters (e.g. `openssl rand -hex 32`), " +
                "or unset to let the state store generate and keep one.");
        }

        if (options.Database is { } database)
        {
            try
            {
                _ = PostgresConnectionString.Parse(database);
            }
            catch (FormatException ex)
            {
                failures.Add(ex.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <see cref="AuditOptions"/> at start.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
