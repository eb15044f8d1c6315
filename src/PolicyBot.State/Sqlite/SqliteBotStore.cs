using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Core.Text;
using PolicyBot.State.Migrations;

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

    private readonly string _connectionString;
    private readonly UserIdHasher? _feedbackUserHasher;
    private readonly ILogger _logger;
    private int _disposed;
    private int _fileChecked;

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

    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(async connection =>
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
        await MigrationRunner.RunAsync(connection, transaction, SqliteSchema.Current, FilePath, _logger, cancellationToken).ConfigureAwait(false);
        transaction.Commit();
        return true;
    }, cancellationToken);

    public Task RecordQuestionAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        StoreValues.CheckRecord(record);
        return RunAsync(connection =>
        {
            using var command = InsertAuditCommand(connection);
            if (InsertAudit(command, record) == 0)
            {
                LogDuplicateAnswer(_logger, record.AnswerId);
            }

            return true;
        }, cancellationToken);
    }

    public Task<int> RecordQuestionsAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            StoreValues.CheckRecord(record);
        }

        return RunAsync(connection =>
        {
            // One transaction and one prepared statement for the lot.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = InsertAuditCommand(connection);
            command.Transaction = transaction;
            var added = 0;
            foreach (var record in records)
            {
                cancellationToken.ThrowIfCancellationRequested();
                added += InsertAudit(command, record);
            }

            transaction.Commit();
            return added;
        }, cancellationToken);
    }

    public Task<int> FillMainTermsAsync(IQuestionTerms terms, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return RunAsync(connection =>
        {
            var pending = new List<(string Id, string Question)>();
            using (var select = connection.CreateCommand())
            {
                select.CommandText = "SELECT answer_id, question FROM audit WHERE main_terms IS NULL AND outcome <> 'Refused' LIMIT $limit;";
                select.Parameters.AddWithValue("$limit", limit);
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    pending.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            if (pending.Count == 0)
            {
                return 0;
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "UPDATE audit SET main_terms = $terms WHERE answer_id = $id AND main_terms IS NULL;";
            var key = update.Parameters.Add("$terms", SqliteType.Text);
            var id = update.Parameters.Add("$id", SqliteType.Text);
            foreach (var (answerId, question) in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                key.Value = StoreValues.Clean(terms.MainTerms(question));
                id.Value = answerId;
                update.ExecuteNonQuery();
            }

            transaction.Commit();
            return pending.Count;
        }, cancellationToken);
    }

    private static SqliteCommand InsertAuditCommand(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit (answer_id, at_us, platform, server_id, channel_id, user_hash, question,
                               outcome, reason, cited_passage_ids, corpus_version, latency_ms,
                               answer_text, suggested_topics, confidence, main_terms)
            VALUES ($answer_id, $at_us, $platform, $server_id, $channel_id, $user_hash, $question,
                    $outcome, $reason, $cited_passage_ids, $corpus_version, $latency_ms,
                    $answer_text, $suggested_topics, $confidence, $main_terms)
            ON CONFLICT (answer_id) DO NOTHING;
            """;
        return command;
    }

    /// <summary>Binds <paramref name="record"/> to the insert and runs it; 1 when stored, 0 when its id was already there.</summary>
    private static int InsertAudit(SqliteCommand command, AuditRecord record)
    {
        var p = command.Parameters;
        p.Clear();
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
        p.AddWithValue("$answer_text", (object?)StoreValues.CleanOrNull(record.AnswerText) ?? DBNull.Value);
        p.AddWithValue("$suggested_topics", ToJson(record.SuggestedTopics ?? []));
        p.AddWithValue("$confidence", (object?)StoreValues.CleanOrNull(record.Confidence) ?? DBNull.Value);
        p.AddWithValue("$main_terms", (object?)StoreValues.CleanOrNull(record.MainTerms) ?? DBNull.Value);
        return command.ExecuteNonQuery();
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
            DELETE FROM cache_entries WHERE expires_us < $cutoff;
            DELETE FROM delivery_claims WHERE expires_us < $cutoff;
            DELETE FROM audit WHERE at_us < $cutoff;
            SELECT changes();
            """;
        command.Parameters.AddWithValue("$cutoff", StoreValues.ToMicroseconds(olderThan));
        var removed = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);

        // The triggers counted the deleted rows down; days with nothing left go.
        command.Parameters.Clear();
        command.CommandText = "DELETE FROM audit_day_counts WHERE n <= 0; DELETE FROM feedback_day_counts WHERE n <= 0;";
        command.ExecuteNonQuery();
        transaction.Commit();
        return removed;
    }, cancellationToken);

    public Task OptimizeAsync(CancellationToken cancellationToken) => RunAsync(connection =>
    {
        // The dashboard's queries name their indexes (INDEXED BY); fresh statistics keep the other plans right too.
        using var command = connection.CreateCommand();
        command.CommandText = "ANALYZE audit; ANALYZE feedback; PRAGMA optimize;";
        command.ExecuteNonQuery();
        return true;
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

    public Task<StoredSecret> GetOrCreateSecretAsync(string name, CancellationToken cancellationToken)
    {
        StateKey.Check(name, nameof(name));
        var candidate = StoredSecret.Generate();
        return RunAsync(connection =>
        {
            // One write transaction: the insert-if-missing and the read see the same row, whoever created it.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO secrets (name, value, created_us) VALUES (@name, @value, @now_us)
                ON CONFLICT (name) DO NOTHING;
                SELECT value, changes() FROM secrets WHERE name = @name;
                """;
            command.Parameters.AddWithValue("@name", StoreValues.Clean(name));
            command.Parameters.AddWithValue("@value", candidate);
            command.Parameters.AddWithValue("@now_us", StoreValues.ToMicroseconds(DateTimeOffset.UtcNow));
            StoredSecret secret;
            using (var reader = command.ExecuteReader())
            {
                reader.Read();
                secret = new StoredSecret(name, reader.GetString(0), reader.GetInt64(1) == 1);
            }

            transaction.Commit();
            return secret;
        }, cancellationToken);
    }

    public Task SetAsync(CacheScope scope, string key, string value, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        StateKey.Check(key, nameof(key));
        CacheScope.CheckValue(value, nameof(value));
        return RunAsync(connection =>
        {
            // Expired entries of the scope go, the entry becomes the scope's newest, then the oldest beyond capacity go.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM cache_entries WHERE scope = @scope AND expires_us <= @now_us;
                INSERT INTO cache_entries (scope, key, value, expires_us, seq)
                VALUES (@scope, @key, @value, @expires_us,
                        (SELECT coalesce(max(seq), 0) + 1 FROM cache_entries WHERE scope = @scope))
                ON CONFLICT (scope, key) DO UPDATE SET
                    value = excluded.value, expires_us = excluded.expires_us, seq = excluded.seq;
                DELETE FROM cache_entries
                WHERE scope = @scope
                  AND seq <= (SELECT seq FROM cache_entries WHERE scope = @scope ORDER BY seq DESC LIMIT 1 OFFSET @capacity);
                """;
            AddCacheParameters(command, scope, key, now);
            command.Parameters.AddWithValue("@value", StoreValues.Clean(value));
            command.Parameters.AddWithValue("@expires_us", StoreValues.ExpiryMicroseconds(now, scope.TimeToLive));
            command.Parameters.AddWithValue("@capacity", scope.Capacity);
            command.ExecuteNonQuery();
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task<string?> GetAsync(CacheScope scope, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        StateKey.Check(key, nameof(key));
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT value FROM cache_entries WHERE scope = @scope AND key = @key AND expires_us > @now_us;
                """;
            AddCacheParameters(command, scope, key, now);
            return command.ExecuteScalar() as string;
        }, cancellationToken);
    }

    public Task<bool> RemoveAsync(CacheScope scope, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        StateKey.Check(key, nameof(key));
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM cache_entries WHERE scope = @scope AND key = @key;
                """;
            AddCacheParameters(command, scope, key, DateTimeOffset.UnixEpoch);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<bool> TryClaimAsync(string scope, string id, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken)
    {
        StateKey.Check(scope, nameof(scope));
        StateKey.Check(id, nameof(id));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        return RunAsync(connection =>
        {
            // The write lock is taken before the delete reads anything, so two claimers never both insert.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM delivery_claims WHERE scope = @scope AND expires_us <= @now_us;
                INSERT INTO delivery_claims (scope, claim_id, expires_us) VALUES (@scope, @id, @expires_us)
                ON CONFLICT (scope, claim_id) DO NOTHING;
                SELECT changes();
                """;
            command.Parameters.AddWithValue("@scope", StoreValues.Clean(scope));
            command.Parameters.AddWithValue("@id", StoreValues.Clean(id));
            command.Parameters.AddWithValue("@now_us", StoreValues.ToMicroseconds(now));
            command.Parameters.AddWithValue("@expires_us", StoreValues.ExpiryMicroseconds(now, lifetime));
            var claimed = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
            transaction.Commit();
            return claimed;
        }, cancellationToken);
    }

    private static void AddCacheParameters(SqliteCommand command, CacheScope scope, string key, DateTimeOffset now)
    {
        command.Parameters.AddWithValue("@scope", StoreValues.Clean(scope.Name));
        command.Parameters.AddWithValue("@key", StoreValues.Clean(key));
        command.Parameters.AddWithValue("@now_us", StoreValues.ToMicroseconds(now));
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

    private List<AuditRecord> ReadAuditPage(SqliteConnection connection, long sinceUs, long afterUs, string afterId) =>
        ReadRecords(connection, """
            WHERE at_us >= $since_us AND (at_us, answer_id) > ($after_us, $after_id)
            ORDER BY at_us, answer_id
            LIMIT $limit
            """, p =>
        {
            p.AddWithValue("$since_us", sinceUs);
            p.AddWithValue("$after_us", afterUs);
            p.AddWithValue("$after_id", afterId);
            p.AddWithValue("$limit", StoreValues.AuditPageSize);
        });

    /// <summary>Audit records chosen by <paramref name="where"/> (a WHERE/ORDER/LIMIT tail over <c>audit</c>), with their feedback, from one snapshot.</summary>
    private static List<AuditRecord> ReadRecords(SqliteConnection connection, string where, Action<SqliteParameterCollection> parameters, bool includeFeedback = true)
    {
        // One read transaction: the page and its feedback come from the same snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        var records = new List<AuditRecord>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT answer_id, at_us, platform, server_id, channel_id, user_hash, question,
                       outcome, reason, cited_passage_ids, corpus_version, latency_ms,
                       answer_text, suggested_topics, confidence, main_terms
                FROM audit
                {where};
                """;
            parameters(command.Parameters);
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
                    AnswerText = reader.IsDBNull(12) ? null : reader.GetString(12),
                    SuggestedTopics = FromJson(reader.GetString(13)),
                    Confidence = reader.IsDBNull(14) ? null : reader.GetString(14),
                    MainTerms = reader.IsDBNull(15) ? null : reader.GetString(15),
                });
            }
        }

        if (records.Count == 0 || !includeFeedback)
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

    private Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) =>
        RunAsync(connection => Task.FromResult(work(connection)), cancellationToken);

    private Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Task.Run(
            async () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                EnsureOwnerOnlyFile();
                using var connection = new SqliteConnection(_connectionString);
                connection.Open();
                using (var pragma = connection.CreateCommand())
                {
                    // Per connection: wait for locks inside SQLite; WAL makes NORMAL sync crash-safe.
                    pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
                    pragma.ExecuteNonQuery();
                }

                return await work(connection).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>
    /// The state file holds the generated user-id salt, the audit trail and hashed ids: readable by its owner only
    /// (0600). Created so before SQLite first opens it — SQLite gives its -wal and -shm files the same mode — and
    /// tightened once, with a warning, when an older file is readable by group or others.
    /// </summary>
    private void EnsureOwnerOnlyFile()
    {
        if (OperatingSystem.IsWindows() || Volatile.Read(ref _fileChecked) != 0)
        {
            return;
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        try
        {
            using (File.Open(FilePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            {
                // A zero-length file is an empty SQLite database.
            }
        }
        catch (IOException) when (File.Exists(FilePath))
        {
            foreach (var file in (ReadOnlySpan<string>)[FilePath, FilePath + "-wal", FilePath + "-shm"])
            {
                if (File.Exists(file) && (File.GetUnixFileMode(file) & Shared) != 0)
                {
                    try
                    {
                        File.SetUnixFileMode(file, File.GetUnixFileMode(file) & ~Shared);
                        LogTightened(_logger, file);
                    }
                    catch (UnauthorizedAccessException ex)
                    {
                        LogCannotTighten(_logger, file, ex);
                    }
                }
            }
        }

        Volatile.Write(ref _fileChecked, 1);
    }

    private static string ToJson(IReadOnlyList<string> values) =>
        JsonSerializer.Serialize(StoreValues.Clean(values), StoreJsonContext.Default.StringArray);

    private static string[] FromJson(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.StringArray) ?? [];

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "State store {StateFile} could not switch to WAL (journal mode {Mode}); concurrent readers will wait on writers")]
    private static partial void LogNoWal(ILogger logger, string stateFile, string mode);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Debug, Message = "Audit record {AnswerId} was already stored; kept the first")]
    private static partial void LogDuplicateAnswer(ILogger logger, string answerId);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "State store: {File} was readable by group or others; restricted it to its owner (it holds the user-id salt)")]
    private static partial void LogTightened(ILogger logger, string file);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "State store: {File} is readable by group or others and could not be restricted to its owner; fix its permissions (chmod 600)")]
    private static partial void LogCannotTighten(ILogger logger, string file, Exception exception);
}
