using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.State;
using PolicyBot.State.Postgres;
using PolicyBot.State.Sqlite;

namespace PolicyBot.State;

/// <summary>Chooses the store: PostgreSQL when <see cref="BotStateOptions.Database"/> is set, else SQLite beside the index.</summary>
public static partial class BotStoreFactory
{
    /// <summary>An unmigrated store; call <see cref="IBotStore.MigrateAsync"/> before use (the host does it at start).</summary>
    public static IBotStore Create(BotStateOptions options, string indexPath, UserIdHasher? feedbackUserHasher, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = (ILogger?)loggerFactory?.CreateLogger(typeof(BotStoreFactory).FullName!) ?? NullLogger.Instance;
        if (options.Database is { } database)
        {
            var postgres = PostgresBotStore.Create(database, feedbackUserHasher, loggerFactory);
            LogPostgres(logger, postgres.Description);
            return postgres;
        }

        var sqlite = CreateSqlite(indexPath, feedbackUserHasher, loggerFactory);
        LogSqlite(logger, sqlite.FilePath);
        return sqlite;
    }

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

    [LoggerMessage(EventId = 6300, Level = LogLevel.Information, Message = "State store: PostgreSQL {Database}")]
    private static partial void LogPostgres(ILogger logger, string database);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "State store: SQLite {StateFile}")]
    private static partial void LogSqlite(ILogger logger, string stateFile);
}
