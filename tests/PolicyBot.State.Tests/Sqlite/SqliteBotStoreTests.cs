using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using PolicyBot.Core.State;
using PolicyBot.State.Sqlite;
using PolicyBot.State.Tests;

namespace PolicyBot.State.Tests.Sqlite;

/// <summary>The contract suite on a real SQLite file in a temp folder.</summary>
public sealed class SqliteBotStoreTests : BotStoreContractTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policybot-store-tests", Guid.NewGuid().ToString("N"));

    private string StateFile => BotStorePaths.StateFileFor(Path.Combine(_folder, "index.db"));

    protected override Task PrepareBackingAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    protected override IBotStore OpenStore() => new SqliteBotStore(StateFile, Hasher);

    protected override Task CleanUpBackingAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    protected override async Task<IReadOnlyList<int>> ReadMigrationVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new List<int>();
        await using var connection = await OpenRawAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    protected override async Task<long> ReadAuditRowEstimateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenRawAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1';";
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return -1;
        }

        // Each row's stat starts with the number of rows in the table.
        command.CommandText = "SELECT stat FROM sqlite_stat1 WHERE tbl = 'audit' LIMIT 1;";
        return await command.ExecuteScalarAsync(cancellationToken) is string stat ? long.Parse(stat.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    protected override async Task<long> CountFeedbackRowsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenRawAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM feedback;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [Fact]
    public async Task MigrateAsync_NewFile_UsesWriteAheadLogBesideTheIndex()
    {
        await Store.MigrateAsync(Ct);
        await Store.RecordQuestionAsync(Record("wal", DateTimeOffset.UnixEpoch), Ct);

        Assert.Equal(Path.Combine(_folder, "index.state.db"), ((SqliteBotStore)Store).FilePath);
        await using var connection = await OpenRawAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // Unix file modes; the bot is deployed on Linux
    public async Task MigrateAsync_NewFile_IsReadableByItsOwnerOnlyWithItsLogFiles()
    {
        await Store.MigrateAsync(Ct);
        await Store.GetOrCreateSecretAsync("user-salt", Ct);
        await Store.RecordQuestionAsync(Record("mode", DateTimeOffset.UnixEpoch), Ct);

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(StateFile));
        Assert.True(File.Exists(StateFile + "-wal"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(StateFile + "-wal"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(StateFile + "-shm"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // Unix file modes; the bot is deployed on Linux
    public async Task MigrateAsync_OlderFileReadableByOthers_IsRestrictedToItsOwner()
    {
        await File.WriteAllBytesAsync(StateFile, [], Ct);
        File.SetUnixFileMode(StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await Store.MigrateAsync(Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StateFile));
        Assert.True((await Store.GetOrCreateSecretAsync("user-salt", Ct)).Created);
    }

    [Fact]
    public async Task MigrateAsync_FromVersion3WithData_KeepsRecordsAndTheBackfillGroupsOldGaps()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StateFile)!);
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = StateFile, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(Ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(Ct);
            var v3 = Migrations.SqliteSchema.Current with { Migrations = Migrations.SqliteSchema.Current.Migrations.Where(m => m.Version <= 3).ToList() };
            await Migrations.MigrationRunner.RunAsync(connection, transaction, v3, "test", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Ct);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO audit (answer_id, at_us, platform, question, outcome, cited_passage_ids, corpus_version, latency_ms, confidence)
                VALUES ('old-1', 1777680000000000, 'discord', 'What is the capital of Peru?', 'Abstained', '[]', 'v3', 1, NULL),
                       ('old-2', 1777680001000000, 'teams', 'Peru capital?', 'Answered', '[]', 'v3', 2, 'Low'),
                       ('old-3', 1777680002000000, 'teams', 'Peru capital?', 'Refused', '[]', 'v3', 0, NULL);
                """;
            await insert.ExecuteNonQueryAsync(Ct);
            await transaction.CommitAsync(Ct);
        }

        await Store.MigrateAsync(Ct);

        Assert.Equal([1, 2, 3, 4, 5], await ReadMigrationVersionsAsync(Ct));
        var may2 = new DateOnly(2026, 5, 2);
        Assert.Equal(
            [new AuditDayCount(may2, "discord", Core.Conversation.AnswerOutcome.Abstained, 1), new AuditDayCount(may2, "teams", Core.Conversation.AnswerOutcome.Answered, 1), new AuditDayCount(may2, "teams", Core.Conversation.AnswerOutcome.Refused, 1)],
            (await Store.CountAuditByDayAsync(may2, may2.AddDays(1), Ct)).OrderBy(c => c.Platform, StringComparer.Ordinal).ThenBy(c => c.Outcome));
        Assert.Equal(2, await Store.FillMainTermsAsync(Search.Analysis.QuestionTerms.Default, 10, Ct));
        var at = StoreValues.FromMicroseconds(1777680000000000);
        var gap = Assert.Single((await Store.GroupCoverageGapsAsync(at, at.AddDays(1), 10, 10, Ct)).Groups);
        Assert.Equal(("capit peru", 2, 1, 1), (gap.Terms, gap.Asked, gap.Abstained, gap.LowConfidence));
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = StateFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
