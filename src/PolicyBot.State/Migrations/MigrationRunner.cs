using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace PolicyBot.State.Migrations;

/// <summary>
/// The one migration runner for both dialects: inside the caller's transaction (which already holds the
/// dialect's migration lock — SQLite's write lock, PostgreSQL's advisory lock) it creates the version table,
/// applies each missing version in order and records it. A store newer than this build is left alone, with a warning.
/// </summary>
internal static partial class MigrationRunner
{
    public static async Task RunAsync(DbConnection connection, DbTransaction transaction, Schema schema, string database, ILogger logger, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, schema.CreateVersionTableSql, null, cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT version FROM schema_migrations;";
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }
        }

        foreach (var migration in schema.Migrations)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, null, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, schema.RecordVersionSql, migration.Version, cancellationToken).ConfigureAwait(false);
            LogMigrationApplied(logger, schema.Dialect, migration.Version, migration.Name, database);
        }

        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > schema.Newest)
        {
            LogSchemaNewer(logger, schema.Dialect, database, newest, schema.Newest);
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, int? version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (version is { } v)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@version";
            parameter.Value = v;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "State store: applied {Dialect} migration {Version} ({Name}) to {Database}")]
    private static partial void LogMigrationApplied(ILogger logger, string dialect, int version, string name, string database);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "State store {Dialect} {Database} is at schema version {Version}, newer than this build knows ({Known}); running anyway")]
    private static partial void LogSchemaNewer(ILogger logger, string dialect, string database, int version, int known);
}
