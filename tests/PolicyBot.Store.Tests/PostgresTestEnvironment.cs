using Npgsql;
using PolicyBot.Postgres;

namespace PolicyBot.Store.Tests;

/// <summary>The PostgreSQL server the tests use, and a fresh schema per test so runs never collide.</summary>
internal static class PostgresTestEnvironment
{
    public const string DatabaseVariable = "POLICYBOT_TEST_DATABASE";
    public const string SkipVariable = "POLICYBOT_SKIP_POSTGRES";

    public static string? Database =>
        Environment.GetEnvironmentVariable(DatabaseVariable) is { Length: > 0 } value ? value : null;

    public static string? SkipReason =>
        Database is null && Environment.GetEnvironmentVariable(SkipVariable) == "1"
            ? $"SKIPPED (PostgreSQL NOT TESTED): {SkipVariable}=1 and {DatabaseVariable} is not set. " +
              $"The PostgreSQL store is untested in this run; start a server with `eval \"$(.ci/postgres.sh)\"` to test it."
            : null;

    public static string MissingMessage =>
        $"{DatabaseVariable} is not set, so the PostgreSQL store cannot be tested. Start a throwaway server on loopback " +
        $"(installs PostgreSQL when missing) and rerun:  eval \"$(.ci/postgres.sh)\" && dotnet test tests/PolicyBot.Store.Tests  " +
        $"— or set {SkipVariable}=1 to report these tests as skipped.";

    /// <summary>The test server's connection string (key=value), or a failure telling how to start one.</summary>
    public static string RequireConnectionString() =>
        PostgresConnectionString.Parse(Database ?? throw new InvalidOperationException(MissingMessage));

    private static readonly string RunId = $"{DateTime.UtcNow:yyMMddHHmmss}_{Environment.ProcessId}";

    /// <summary>Creates an empty schema; the returned connection string searches only it.</summary>
    public static async Task<(string Schema, string ConnectionString)> CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var server = RequireConnectionString();
        var schema = $"pbtest_{RunId}_{Guid.NewGuid():N}"[..48];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\";", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, MaxPoolSize = 40 };
        return (schema, builder.ConnectionString);
    }

    public static async Task DropSchemaAsync(string schema)
    {
        var server = RequireConnectionString();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
