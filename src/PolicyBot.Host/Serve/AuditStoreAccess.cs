using System.Globalization;
using PolicyBot.Core.State;
using PolicyBot.Host.Cli;
using PolicyBot.Host.Configuration;
using PolicyBot.State;
using PolicyBot.State.Sqlite;
using PolicyBot.Search;

namespace PolicyBot.Host.Serve;

/// <summary>Opens the state store for the read-only verbs (audit export, report) from the same settings serve reads: PostgreSQL when POLICYBOT_DATABASE is set, else the SQLite file beside the index (POLICYBOT_INDEX or --index).</summary>
internal static class AuditStoreAccess
{
    /// <summary>The store, or null with a message when there is no audit trail to read.</summary>
    public static async Task<(IBotStore? Store, string? Problem)> OpenAsync(string indexPath, CancellationToken cancellationToken)
    {
        var loaded = CliOptions.Settings;
        var options = loaded.Settings.State;
        var problems = loaded.Settings.Validate(discord: false, teams: false, state: true);
        if (problems.Count > 0)
        {
            return (null, string.Join(Environment.NewLine, problems));
        }

        if (options.Database is null)
        {
            var file = BotStorePaths.StateFileFor(indexPath);
            if (!File.Exists(file))
            {
                return (null, $"No audit trail at {file}: nothing has been served with --index {indexPath} yet (or POLICYBOT_DATABASE is not set for a PostgreSQL store).");
            }
        }

        IBotStore store;
        try
        {
            store = BotStoreFactory.Create(options, indexPath, feedbackUserHasher: null, loggerFactory: null);
        }
        catch (FormatException ex)
        {
            return (null, SettingKeys.Describe(SettingKeys.StateSection, ex.Message));
        }

        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return (store, null);
    }

    /// <summary>Parses --since: a date (<c>2026-01-31</c>, UTC midnight) or a date-time with offset; null when malformed.</summary>
    /// <summary>
    /// What `audit export` and `report` both start with: parse <c>--since</c> and open the store beside the index,
    /// printing the problem and returning the exit code (2: bad --since, 1: no store) when either fails.
    /// </summary>
    public static async Task<(IBotStore? Store, DateTimeOffset? Since, int ExitCode)> OpenForCommandAsync(string? indexPath, string? since, CancellationToken cancellationToken)
    {
        DateTimeOffset? from = null;
        if (since is not null)
        {
            from = ParseSince(since);
            if (from is null)
            {
                await Console.Error.WriteLineAsync($"--since must be a date like 2026-01-31 or a date-time like 2026-01-31T12:00:00Z; got '{since}'.");
                return (null, null, 2);
            }
        }

        var (store, problem) = await OpenAsync(CliOptions.IndexPath(indexPath), cancellationToken);
        if (store is null)
        {
            await Console.Error.WriteLineAsync(problem);
            return (null, null, 1);
        }

        return (store, from, 0);
    }

    public static DateTimeOffset? ParseSince(string text)
    {
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-ddTHH:mmK"], CultureInfo.InvariantCulture, styles, out var at))
        {
            return at;
        }

        return null;
    }
}
