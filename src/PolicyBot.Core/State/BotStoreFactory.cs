using Microsoft.Extensions.Logging;

namespace PolicyBot.Core.State;

/// <summary>Opens the SQLite store for an index (CLI verbs without a host use this; PostgreSQL lives in PolicyBot.Postgres).</summary>
public static class BotStoreFactory
{
    /// <summary>
    /// The SQLite store beside <paramref name="indexPath"/> (<see cref="BotStorePaths.StateFileFor"/>), its folder
    /// created when missing. Call <see cref="IBotStore.MigrateAsync"/> before use.
    /// </summary>
    public static SqliteBotStore CreateSqlite(string indexPath, UserIdHasher? feedbackUserHasher, ILoggerFactory? loggerFactory)
    {
        var path = BotStorePaths.StateFileFor(indexPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new SqliteBotStore(path, feedbackUserHasher, loggerFactory?.CreateLogger<SqliteBotStore>());
    }
}
