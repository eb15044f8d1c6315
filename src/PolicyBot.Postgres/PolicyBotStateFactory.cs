using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.State;

namespace PolicyBot.Postgres;

/// <summary>Chooses the store: PostgreSQL when <c>POLICYBOT_DATABASE</c> is set, else SQLite beside the index.</summary>
public static partial class PolicyBotStateFactory
{
    /// <summary>An unmigrated store; call <see cref="IBotStore.MigrateAsync"/> before use (the host does it at start).</summary>
    public static IBotStore Create(BotStateOptions options, string indexPath, UserIdHasher? feedbackUserHasher, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = (ILogger?)loggerFactory?.CreateLogger(typeof(PolicyBotStateFactory).FullName!) ?? NullLogger.Instance;
        if (options.Database is { } database)
        {
            var postgres = PostgresBotStore.Create(database, feedbackUserHasher, loggerFactory);
            LogPostgres(logger, postgres.Description);
            return postgres;
        }

        var sqlite = BotStoreFactory.CreateSqlite(indexPath, feedbackUserHasher, loggerFactory);
        LogSqlite(logger, sqlite.FilePath);
        return sqlite;
    }

    [LoggerMessage(EventId = 6300, Level = LogLevel.Information, Message = "State store: PostgreSQL {Database}")]
    private static partial void LogPostgres(ILogger logger, string database);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "State store: SQLite {StateFile}")]
    private static partial void LogSqlite(ILogger logger, string stateFile);
}
