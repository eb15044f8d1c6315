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

    protected override async Task<long> ReadAuditRowEstimateAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT reltuples::bigint FROM pg_class WHERE oid = 'audit'::regclass;", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [StoreFact]
    public async Task MigrateAsync_FromVersion3WithData_FillsDaysAndFeedbackDaysAndTheBackfillGroupsOldGaps()
    {
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            var v3 = Migrations.PostgresSchema.Current with { Migrations = Migrations.PostgresSchema.Current.Migrations.Where(m => m.Version <= 3).ToList() };
            await Migrations.MigrationRunner.RunAsync(connection, transaction, v3, "test", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Ct);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO audit (answer_id, at, platform, question, outcome, cited_passage_ids, corpus_version, latency_ms, confidence)
                VALUES ('old-1', '2026-05-01T23:59:59.5Z', 'discord', 'What is the capital of Peru?', 'Abstained', '{}', 'v3', 1, NULL),
                       ('old-2', '2026-05-02T00:00:00Z', 'teams', 'Peru capital?', 'Answered', '{}', 'v3', 2, 'Low');
                INSERT INTO feedback (answer_id, platform, user_id, reaction, at) VALUES ('old-2', 'teams', 'u', 'Negative', '2026-05-09T00:00:00Z');
                """, connection, transaction);
            await insert.ExecuteNonQueryAsync(Ct);
            await transaction.CommitAsync(Ct);
        }

        await Store.MigrateAsync(Ct);
        var may1 = new DateOnly(2026, 5, 1);

        Assert.Equal(
            [new AuditDayCount(may1, "discord", Core.Conversation.AnswerOutcome.Abstained, 1), new AuditDayCount(may1.AddDays(1), "teams", Core.Conversation.AnswerOutcome.Answered, 1)],
            (await Store.CountAuditByDayAsync(may1, may1.AddDays(2), Ct)).OrderBy(c => c.Day));
        Assert.Equal([new FeedbackDayCount(may1.AddDays(1), "teams", Core.Conversation.FeedbackReaction.Negative, 1)], await Store.CountFeedbackByDayAsync(may1, may1.AddDays(2), Ct));
        Assert.Equal(2, await Store.FillMainTermsAsync(Search.Analysis.QuestionTerms.Default, 10, Ct));
        var gap = Assert.Single((await Store.GroupCoverageGapsAsync(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 3, 0, 0, 0, TimeSpan.Zero), 10, 10, Ct)).Groups);
        Assert.Equal(("capit peru", 2, 1, 1), (gap.Terms, gap.Asked, gap.Abstained, gap.LowConfidence));
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

        Assert.Equal(["audit", "audit_day_counts", "cache_entries", "delivery_claims", "feedback", "feedback_day_counts", "rate_buckets", "schema_migrations", "secrets", "server_settings", "watches"], tables);
    }
}
