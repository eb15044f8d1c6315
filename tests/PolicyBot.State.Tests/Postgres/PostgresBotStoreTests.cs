using Npgsql;
using PolicyBot.Core.State;
using PolicyBot.State.Postgres;
using PolicyBot.State.Tests;

namespace PolicyBot.State.Tests.Postgres;

/// <summary>
/// The contract suite on the real PostgreSQL server named by <c>POLICYBOT_TEST_DATABASE</c> (see <c>.ci/postgres.sh</c>),
/// each test in a fresh schema dropped afterwards. Unset: every test fails saying how to start one, unless
/// <c>POLICYBOT_SKIP_POSTGRES=1</c>, when they are reported as skipped.
/// </summary>
[RequiresPostgres]
public sealed class PostgresBotStoreTests : BotStoreContractTests
{
    private string? _schema;
    private string _connectionString = "";

    protected override async Task PrepareBackingAsync(CancellationToken cancellationToken)
    {
        (_schema, _connectionString) = await PostgresTestEnvironment.CreateSchemaAsync(cancellationToken);
    }

    // Through the same parser as POLICYBOT_DATABASE (key=value form).
    protected override IBotStore OpenStore() => PostgresBotStore.Create(_connectionString, Hasher, loggerFactory: null);

    protected override async Task CleanUpBackingAsync()
    {
        if (_schema is not null)
        {
            await PostgresTestEnvironment.DropSchemaAsync(_schema);
        }
    }

    protected override async Task<IReadOnlyList<int>> ReadMigrationVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new List<int>();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    protected override async Task<long> CountFeedbackRowsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM feedback;", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [StoreFact]
    public async Task MigrateAsync_InItsSchema_CreatesTablesThereOnly()
    {
        await Store.MigrateAsync(Ct);

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = @schema ORDER BY table_name;
            """, connection);
        command.Parameters.AddWithValue("schema", _schema!);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["audit", "cache_entries", "delivery_claims", "feedback", "rate_buckets", "schema_migrations", "secrets", "server_settings", "watches"], tables);
    }
}
