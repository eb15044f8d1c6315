using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Sqlite;

/// <summary>
/// The default store: one SQLite file (WAL, busy timeout) beside the index. Safe for many threads: each
/// operation takes a pooled connection of its own. Microsoft.Data.Sqlite's async methods complete
/// synchronously, so every operation runs on the thread pool and never blocks the caller's thread
/// (a gateway loop, a request) while SQLite waits for a lock or the disk.
/// </summary>
public sealed partial class SqliteBotStore : IBotStore, IDisposable
{
    private static readonly Lazy<bool> SqliteInitialized = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private static readonly (int Version, string Name, string Sql)[] Migrations =
    [
        (1, "audit, feedback, server settings, rate-limit buckets", """
            CREATE TABLE audit (
                answer_id         TEXT    NOT NULL PRIMARY KEY,
                at_us             INTEGER NOT NULL,
                platform          TEXT    NOT NULL,
                server_id         TEXT,
                channel_id        TEXT,
                user_hash         TEXT,
                question          TEXT    NOT NULL,
                outcome           TEXT    NOT NULL,
                reason            TEXT,
                cited_passage_ids TEXT    NOT NULL,
                corpus_version    TEXT    NOT NULL,
                latency_ms        REAL    NOT NULL
            );
            CREATE INDEX audit_at ON audit (at_us, answer_id);

            CREATE TABLE feedback (
                id        INTEGER PRIMARY KEY AUTOINCREMENT,
                answer_id TEXT    NOT NULL,
                platform  TEXT    NOT NULL,
                user_id   TEXT,
                reaction  TEXT    NOT NULL,
                comment   TEXT,
                at_us     INTEGER NOT NULL
            );
            CREATE INDEX feedback_answer ON feedback (answer_id, at_us, id);
            CREATE INDEX feedback_at ON feedback (at_us);

            CREATE TABLE server_settings (
                platform        TEXT    NOT NULL,
                server_id       TEXT    NOT NULL,
                answer_channels TEXT    NOT NULL,
                updated_at_us   INTEGER NOT NULL,
                PRIMARY KEY (platform, server_id)
            ) WITHOUT ROWID;

            CREATE TABLE rate_buckets (
                bucket_key TEXT    NOT NULL PRIMARY KEY,
                tokens     REAL    NOT NULL,
                updated_us INTEGER NOT NULL,
                granted    INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
    ];

    private readonly string _connectionString;
    private readonly UserIdHasher? _feedbackUserHasher;
    private readonly ILogger _logger;
    private int _disposed;

    /// <param name="path">The state file; created when missing (see <see cref="BotStorePaths.StateFileFor"/>).</param>
    /// <param name="feedbackUserHasher">Hashes <see cref="Feedback.UserId"/> before it is stored; null stores it as given.</param>
    /// <param name="logger">Optional logger.</param>
    public SqliteBotStore(string path, UserIdHasher? feedbackUserHasher = null, ILogger<SqliteBotStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _ = SqliteInitialized.Value;
        FilePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _feedbackUserHasher = feedbackUserHasher;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The full path of the state file.</summary>
    public string FilePath { get; }

    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(connection =>
    {
        // WAL is a property of the file; it must be set outside a transaction.
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = Convert.ToString(wal.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                LogNoWal(_logger, FilePath, mode ?? "");
            }
        }

        // BEGIN IMMEDIATE: one migrator at a time across processes; the others wait on the busy timeout.
        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER NOT NULL PRIMARY KEY,
                applied_at TEXT    NOT NULL
            );
            """);

        var applied = new HashSet<int>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT version FROM schema_migrations;";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        foreach (var (version, name, sql) in Migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            Execute(connection, transaction, sql);
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $applied_at);
                """;
            insert.Parameters.AddWithValue("$version", version);
            insert.Parameters.AddWithValue("$applied_at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
            LogMigrationApplied(_logger, version, name, FilePath);
        }

        var newest = applied.Count == 0 ? 0 : applied.Max();
        if (newest > Migrations[^1].Version)
        {
            LogSchemaNewer(_logger, FilePath, newest, Migrations[^1].Version);
        }

        transaction.Commit();
        return true;
    }, cancellationToken);

    public Task RecordQuestionAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        StoreValues.CheckRecord(record);
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO audit (answer_id, at_us, platform, server_id, channel_id, user_hash, question,
                                   outcome, reason, cited_passage_ids, corpus_version, latency_ms)
                VALUES ($answer_id, $at_us, $platform, $server_id, $channel_id, $user_hash, $question,
                        $outcome, $reason, $cited_passage_ids, $corpus_version, $latency_ms)
                ON CONFLICT (answer_id) DO NOTHING;
                """;
            var p = command.Parameters;
            p.AddWithValue("$answer_id", StoreValues.Clean(record.AnswerId));
            p.AddWithValue("$at_us", StoreValues.ToMicroseconds(record.At));
            p.AddWithValue("$platform", StoreValues.Clean(record.Platform));
            p.AddWithValue("$server_id", (object?)StoreValues.CleanOrNull(record.ServerId) ?? DBNull.Value);
            p.AddWithValue("$channel_id", (object?)StoreValues.CleanOrNull(record.ChannelId) ?? DBNull.Value);
            p.AddWithValue("$user_hash", (object?)StoreValues.CleanOrNull(record.UserHash) ?? DBNull.Value);
            p.AddWithValue("$question", StoreValues.Clean(record.Question));
            p.AddWithValue("$outcome", record.Outcome.ToString());
            p.AddWithValue("$reason", (object?)StoreValues.CleanOrNull(record.Reason) ?? DBNull.Value);
            p.AddWithValue("$cited_passage_ids", ToJson(record.CitedPassageIds ?? []));
            p.AddWithValue("$corpus_version", StoreValues.Clean(record.CorpusVersion ?? ""));
            p.AddWithValue("$latency_ms", record.LatencyMs);
            if (command.ExecuteNonQuery() == 0)
            {
                LogDuplicateAnswer(_logger, record.AnswerId);
            }

            return true;
        }, cancellationToken);
    }

    public async IAsyncEnumerable<AuditRecord> ReadAuditAsync(DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sinceUs = since is { } s ? StoreValues.ToMicroseconds(s) : long.MinValue;
        var afterUs = long.MinValue;
        var afterId = "";
        while (true)
        {
            var page = await RunAsync(connection => ReadAuditPage(connection, sinceUs, afterUs, afterId), cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < StoreValues.AuditPageSize)
            {
                yield break;
            }

            afterUs = StoreValues.ToMicroseconds(page[^1].At);
            afterId = page[^1].AnswerId;
        }
    }

    public Task<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => RunAsync(connection =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM feedback
            WHERE at_us < $cutoff
               OR answer_id IN (SELECT answer_id FROM audit WHERE at_us < $cutoff);
            DELETE FROM rate_buckets WHERE updated_us < $cutoff;
            DELETE FROM audit WHERE at_us < $cutoff;
            SELECT changes();
            """;
        command.Parameters.AddWithValue("$cutoff", StoreValues.ToMicroseconds(olderThan));
        var removed = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        transaction.Commit();
        return removed;
    }, cancellationToken);

    public Task<bool> TryTakeTokenAsync(string bucketKey, int capacity, double refillPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        StoreValues.CheckBucket(bucketKey, capacity, refillPerSecond);
        return RunAsync(connection =>
        {
            // One statement: SQLite takes the write lock before reading the row, so takes never interleave.
            // Every SET expression sees the row as it was before this update.
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO rate_buckets (bucket_key, tokens, updated_us, granted)
                VALUES ($key, $capacity - 1.0, $now_us, 1)
                ON CONFLICT (bucket_key) DO UPDATE SET
                    tokens = min($capacity, tokens + max(0, $now_us - updated_us) * $rate / 1000000.0)
                             - (CASE WHEN min($capacity, tokens + max(0, $now_us - updated_us) * $rate / 1000000.0) >= 1.0 - $epsilon
                                     THEN 1.0 ELSE 0.0 END),
                    granted = min($capacity, tokens + max(0, $now_us - updated_us) * $rate / 1000000.0) >= 1.0 - $epsilon,
                    updated_us = max(updated_us, $now_us)
                RETURNING granted;
                """;
            command.Parameters.AddWithValue("$key", StoreValues.Clean(bucketKey));
            command.Parameters.AddWithValue("$capacity", (double)capacity);
            command.Parameters.AddWithValue("$now_us", StoreValues.ToMicroseconds(now));
            command.Parameters.AddWithValue("$rate", refillPerSecond);
            command.Parameters.AddWithValue("$epsilon", StoreValues.TokenEpsilon);
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
        }, cancellationToken);
    }

    public Task RecordAsync(Feedback feedback, CancellationToken cancellationToken)
    {
        StoreValues.CheckFeedback(feedback);
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO feedback (answer_id, platform, user_id, reaction, comment, at_us)
                VALUES ($answer_id, $platform, $user_id, $reaction, $comment, $at_us);
                """;
            var p = command.Parameters;
            p.AddWithValue("$answer_id", StoreValues.Clean(feedback.AnswerId));
            p.AddWithValue("$platform", StoreValues.Clean(feedback.Platform));
            p.AddWithValue("$user_id", (object?)StoreValues.CleanOrNull(HashUser(feedback.UserId)) ?? DBNull.Value);
            p.AddWithValue("$reaction", feedback.Reaction.ToString());
            p.AddWithValue("$comment", (object?)StoreValues.CleanOrNull(feedback.Comment) ?? DBNull.Value);
            p.AddWithValue("$at_us", StoreValues.ToMicroseconds(feedback.At));
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>?> GetAnswerChannelsAsync(string platform, string serverId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        return RunAsync<IReadOnlyList<string>?>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT answer_channels FROM server_settings WHERE platform = $platform AND server_id = $server_id;
                """;
            command.Parameters.AddWithValue("$platform", StoreValues.Clean(platform));
            command.Parameters.AddWithValue("$server_id", StoreValues.Clean(serverId));
            return command.ExecuteScalar() is string json ? FromJson(json) : null;
        }, cancellationToken);
    }

    public Task SetAnswerChannelsAsync(string platform, string serverId, IReadOnlyList<string>? channelIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        var channels = channelIds is null ? null : ToJson(channelIds);
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            if (channels is null)
            {
                command.CommandText = """
                    DELETE FROM server_settings WHERE platform = $platform AND server_id = $server_id;
                    """;
            }
            else
            {
                command.CommandText = """
                    INSERT INTO server_settings (platform, server_id, answer_channels, updated_at_us)
                    VALUES ($platform, $server_id, $answer_channels, $now_us)
                    ON CONFLICT (platform, server_id) DO UPDATE SET
                        answer_channels = excluded.answer_channels,
                        updated_at_us = excluded.updated_at_us;
                    """;
                command.Parameters.AddWithValue("$answer_channels", channels);
                command.Parameters.AddWithValue("$now_us", StoreValues.ToMicroseconds(DateTimeOffset.UtcNow));
            }

            command.Parameters.AddWithValue("$platform", StoreValues.Clean(platform));
            command.Parameters.AddWithValue("$server_id", StoreValues.Clean(serverId));
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Pooled connections keep the file open (and its -wal/-shm beside it); release this file's.
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    private List<AuditRecord> ReadAuditPage(SqliteConnection connection, long sinceUs, long afterUs, string afterId)
    {
        // One read transaction: the page and its feedback come from the same snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        var records = new List<AuditRecord>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                SELECT answer_id, at_us, platform, server_id, channel_id, user_hash, question,
                       outcome, reason, cited_passage_ids, corpus_version, latency_ms
                FROM audit
                WHERE at_us >= $since_us AND (at_us, answer_id) > ($after_us, $after_id)
                ORDER BY at_us, answer_id
                LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$since_us", sinceUs);
            command.Parameters.AddWithValue("$after_us", afterUs);
            command.Parameters.AddWithValue("$after_id", afterId);
            command.Parameters.AddWithValue("$limit", StoreValues.AuditPageSize);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                records.Add(new AuditRecord
                {
                    AnswerId = reader.GetString(0),
                    At = StoreValues.FromMicroseconds(reader.GetInt64(1)),
                    Platform = reader.GetString(2),
                    ServerId = reader.IsDBNull(3) ? null : reader.GetString(3),
                    ChannelId = reader.IsDBNull(4) ? null : reader.GetString(4),
                    UserHash = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Question = reader.GetString(6),
                    Outcome = Enum.Parse<AnswerOutcome>(reader.GetString(7)),
                    Reason = reader.IsDBNull(8) ? null : reader.GetString(8),
                    CitedPassageIds = FromJson(reader.GetString(9)),
                    CorpusVersion = reader.GetString(10),
                    LatencyMs = reader.GetDouble(11),
                });
            }
        }

        if (records.Count == 0)
        {
            return records;
        }

        var feedback = new Dictionary<string, List<Feedback>>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                SELECT answer_id, platform, user_id, reaction, comment, at_us
                FROM feedback
                WHERE answer_id IN (SELECT value FROM json_each($answer_ids))
                ORDER BY answer_id, at_us, id;
                """;
            command.Parameters.AddWithValue("$answer_ids", ToJson(records.ConvertAll(r => r.AnswerId)));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var item = new Feedback(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    Enum.Parse<FeedbackReaction>(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    StoreValues.FromMicroseconds(reader.GetInt64(5)));
                if (!feedback.TryGetValue(item.AnswerId, out var list))
                {
                    feedback[item.AnswerId] = list = [];
                }

                list.Add(item);
            }
        }

        transaction.Commit();
        for (var i = 0; i < records.Count; i++)
        {
            if (feedback.TryGetValue(records[i].AnswerId, out var list))
            {
                records[i] = records[i] with { Feedback = list };
            }
        }

        return records;
    }

    private string? HashUser(string? userId) => _feedbackUserHasher is null ? userId : _feedbackUserHasher.Hash(userId);

    private Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Task.Run(
            () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var connection = new SqliteConnection(_connectionString);
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    // Per connection: wait for locks inside SQLite; WAL makes NORMAL sync crash-safe.
                    pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
                    pragma.ExecuteNonQuery();
                }

                return work(connection);
            },
            cancellationToken);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string ToJson(IReadOnlyList<string> values) =>
        JsonSerializer.Serialize(StoreValues.Clean(values), StoreJsonContext.Default.StringArray);

    private static string[] FromJson(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.StringArray) ?? [];

    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "State store: applied migration {Version} ({Name}) to {StateFile}")]
    private static partial void LogMigrationApplied(ILogger logger, int version, string name, string stateFile);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "State store {StateFile} is at schema version {Version}, newer than this build knows ({Known}); running anyway")]
    private static partial void LogSchemaNewer(ILogger logger, string stateFile, int version, int known);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "State store {StateFile} could not switch to WAL (journal mode {Mode}); concurrent readers will wait on writers")]
    private static partial void LogNoWal(ILogger logger, string stateFile, string mode);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Debug, Message = "Audit record {AnswerId} was already stored; kept the first")]
    private static partial void LogDuplicateAnswer(ILogger logger, string answerId);
}
