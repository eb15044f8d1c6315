using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Postgres;

/// <summary>
/// The shared store for several <c>serve</c> processes (Discord shards, Teams replicas): PostgreSQL through an
/// <see cref="NpgsqlDataSource"/>. Migrations run under an advisory lock, so processes may start together; the
/// token bucket is one atomic upsert, so limits hold across processes.
/// </summary>
public sealed partial class PostgresBotStore : IBotStore, IDisposable
{
    // pg_advisory_xact_lock(int4, int4): this constant ("poli") and a hash of the schema, so test schemas don't queue.
    private const int MigrationLockClass = 0x706F6C69;

    private static readonly (int Version, string Name, string Sql)[] Migrations =
    [
        (1, "audit, feedback, server settings, rate-limit buckets", """
            CREATE TABLE audit (
                answer_id         text             NOT NULL PRIMARY KEY,
                at                timestamptz      NOT NULL,
                platform          text             NOT NULL,
                server_id         text,
                channel_id        text,
                user_hash         text,
                question          text             NOT NULL,
                outcome           text             NOT NULL,
                reason            text,
                cited_passage_ids text[]           NOT NULL,
                corpus_version    text             NOT NULL,
                latency_ms        double precision NOT NULL
            );
            CREATE INDEX audit_at ON audit (at, answer_id);

            CREATE TABLE feedback (
                id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                answer_id text        NOT NULL,
                platform  text        NOT NULL,
                user_id   text,
                reaction  text        NOT NULL,
                comment   text,
                at        timestamptz NOT NULL
            );
            CREATE INDEX feedback_answer ON feedback (answer_id, at, id);
            CREATE INDEX feedback_at ON feedback (at);

            CREATE TABLE server_settings (
                platform        text        NOT NULL,
                server_id       text        NOT NULL,
                answer_channels text[]      NOT NULL,
                updated_at      timestamptz NOT NULL,
                PRIMARY KEY (platform, server_id)
            );

            CREATE TABLE rate_buckets (
                bucket_key text             NOT NULL PRIMARY KEY,
                tokens     double precision NOT NULL,
                updated_us bigint           NOT NULL,
                granted    boolean          NOT NULL
            );
            """),
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly UserIdHasher? _feedbackUserHasher;
    private readonly ILogger _logger;
    private int _disposed;

    /// <param name="dataSource">Where to connect; set the schema with <c>Search Path</c> if not <c>public</c>.</param>
    /// <param name="feedbackUserHasher">Hashes <see cref="Feedback.UserId"/> before it is stored; null stores it as given.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="ownsDataSource">Dispose <paramref name="dataSource"/> with the store.</param>
    public PostgresBotStore(NpgsqlDataSource dataSource, UserIdHasher? feedbackUserHasher = null, ILogger<PostgresBotStore>? logger = null, bool ownsDataSource = false)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _feedbackUserHasher = feedbackUserHasher;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>A store over <paramref name="database"/> (a <c>POLICYBOT_DATABASE</c> value), owning its data source.</summary>
    public static PostgresBotStore Create(string database, UserIdHasher? feedbackUserHasher, ILoggerFactory? loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(PostgresConnectionString.Parse(database));
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return new PostgresBotStore(builder.Build(), feedbackUserHasher, loggerFactory?.CreateLogger<PostgresBotStore>(), ownsDataSource: true);
    }

    /// <summary>Where the store points, without the password (for logs).</summary>
    public string Description => PostgresConnectionString.Describe(_dataSource.ConnectionString);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // DDL is transactional in PostgreSQL: the lock, the tables and the version rows commit together.
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using (var command = new NpgsqlCommand("""
                    SELECT pg_advisory_xact_lock(@lock_class, hashtext(coalesce(current_schema(), '')));
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer     NOT NULL PRIMARY KEY,
                        applied_at timestamptz NOT NULL
                    );
                    """, connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<int>("lock_class", MigrationLockClass));
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var applied = new HashSet<int>();
                await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations;", connection, transaction))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            applied.Add(reader.GetInt32(0));
                        }
                    }
                }

                foreach (var (version, name, sql) in Migrations)
                {
                    if (applied.Contains(version))
                    {
                        continue;
                    }

                    await using (var command = new NpgsqlCommand(sql, connection, transaction))
                    {
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await using (var command = new NpgsqlCommand("""
                        INSERT INTO schema_migrations (version, applied_at) VALUES (@version, now());
                        """, connection, transaction))
                    {
                        command.Parameters.Add(new NpgsqlParameter<int>("version", version));
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    LogMigrationApplied(_logger, version, name, Description);
                }

                var newest = applied.Count == 0 ? 0 : applied.Max();
                if (newest > Migrations[^1].Version)
                {
                    LogSchemaNewer(_logger, Description, newest, Migrations[^1].Version);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task RecordQuestionAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        StoreValues.CheckRecord(record);
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO audit (answer_id, at, platform, server_id, channel_id, user_hash, question,
                               outcome, reason, cited_passage_ids, corpus_version, latency_ms)
            VALUES (@answer_id, @at, @platform, @server_id, @channel_id, @user_hash, @question,
                    @outcome, @reason, @cited_passage_ids, @corpus_version, @latency_ms)
            ON CONFLICT (answer_id) DO NOTHING;
            """);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<string>("answer_id", StoreValues.Clean(record.AnswerId)));
        p.Add(new NpgsqlParameter<DateTimeOffset>("at", StoreValues.Truncate(record.At)));
        p.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(record.Platform)));
        p.Add(Text("server_id", record.ServerId));
        p.Add(Text("channel_id", record.ChannelId));
        p.Add(Text("user_hash", record.UserHash));
        p.Add(new NpgsqlParameter<string>("question", StoreValues.Clean(record.Question)));
        p.Add(new NpgsqlParameter<string>("outcome", record.Outcome.ToString()));
        p.Add(Text("reason", record.Reason));
        p.Add(new NpgsqlParameter<string[]>("cited_passage_ids", StoreValues.Clean(record.CitedPassageIds ?? [])));
        p.Add(new NpgsqlParameter<string>("corpus_version", StoreValues.Clean(record.CorpusVersion ?? "")));
        p.Add(new NpgsqlParameter<double>("latency_ms", record.LatencyMs));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            LogDuplicateAnswer(_logger, record.AnswerId);
        }
    }

    public async IAsyncEnumerable<AuditRecord> ReadAuditAsync(DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var sinceAt = since is { } s ? StoreValues.Truncate(s) : DateTimeOffset.MinValue;
        var afterAt = DateTimeOffset.MinValue;
        var afterId = "";
        while (true)
        {
            var page = await ReadAuditPageAsync(sinceAt, afterAt, afterId, cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < StoreValues.AuditPageSize)
            {
                yield break;
            }

            afterAt = page[^1].At;
            afterId = page[^1].AnswerId;
        }
    }

    public async Task<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var cutoff = StoreValues.Truncate(olderThan);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using (var command = new NpgsqlCommand("""
                    DELETE FROM feedback
                    WHERE at < @cutoff
                       OR answer_id IN (SELECT answer_id FROM audit WHERE at < @cutoff);
                    DELETE FROM rate_buckets WHERE updated_us < @cutoff_us;
                    """, connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", cutoff));
                    command.Parameters.Add(new NpgsqlParameter<long>("cutoff_us", StoreValues.ToMicroseconds(cutoff)));
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                int removed;
                await using (var command = new NpgsqlCommand("""
                    DELETE FROM audit WHERE at < @cutoff;
                    """, connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", cutoff));
                    removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return removed;
            }
        }
    }

    public async Task<bool> TryTakeTokenAsync(string bucketKey, int capacity, double refillPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        StoreValues.CheckBucket(bucketKey, capacity, refillPerSecond);
        ThrowIfDisposed();

        // One statement: ON CONFLICT DO UPDATE locks the row and re-reads its latest version, so concurrent
        // takes from any number of processes serialise on the row. SET expressions see the row before the update.
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO rate_buckets AS b (bucket_key, tokens, updated_us, granted)
            VALUES (@key, @capacity - 1.0, @now_us, true)
            ON CONFLICT (bucket_key) DO UPDATE SET
                tokens = LEAST(@capacity, b.tokens + GREATEST(0, @now_us - b.updated_us) * @rate / 1000000.0)
                         - (CASE WHEN LEAST(@capacity, b.tokens + GREATEST(0, @now_us - b.updated_us) * @rate / 1000000.0) >= 1.0 - @epsilon
                                 THEN 1.0 ELSE 0.0 END),
                granted = LEAST(@capacity, b.tokens + GREATEST(0, @now_us - b.updated_us) * @rate / 1000000.0) >= 1.0 - @epsilon,
                updated_us = GREATEST(b.updated_us, @now_us)
            RETURNING granted;
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("key", StoreValues.Clean(bucketKey)));
        command.Parameters.Add(new NpgsqlParameter<double>("capacity", capacity));
        command.Parameters.Add(new NpgsqlParameter<long>("now_us", StoreValues.ToMicroseconds(now)));
        command.Parameters.Add(new NpgsqlParameter<double>("rate", refillPerSecond));
        command.Parameters.Add(new NpgsqlParameter<double>("epsilon", StoreValues.TokenEpsilon));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    public async Task RecordAsync(Feedback feedback, CancellationToken cancellationToken)
    {
        StoreValues.CheckFeedback(feedback);
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO feedback (answer_id, platform, user_id, reaction, comment, at)
            VALUES (@answer_id, @platform, @user_id, @reaction, @comment, @at);
            """);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<string>("answer_id", StoreValues.Clean(feedback.AnswerId)));
        p.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(feedback.Platform)));
        p.Add(Text("user_id", _feedbackUserHasher is null ? feedback.UserId : _feedbackUserHasher.Hash(feedback.UserId)));
        p.Add(new NpgsqlParameter<string>("reaction", feedback.Reaction.ToString()));
        p.Add(Text("comment", feedback.Comment));
        p.Add(new NpgsqlParameter<DateTimeOffset>("at", StoreValues.Truncate(feedback.At)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>?> GetAnswerChannelsAsync(string platform, string serverId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT answer_channels FROM server_settings WHERE platform = @platform AND server_id = @server_id;
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(platform)));
        command.Parameters.Add(new NpgsqlParameter<string>("server_id", StoreValues.Clean(serverId)));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string[];
    }

    public async Task SetAnswerChannelsAsync(string platform, string serverId, IReadOnlyList<string>? channelIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ThrowIfDisposed();
        var channels = channelIds is null ? null : StoreValues.Clean(channelIds);
        await using var command = channels is null
            ? _dataSource.CreateCommand("""
                DELETE FROM server_settings WHERE platform = @platform AND server_id = @server_id;
                """)
            : _dataSource.CreateCommand("""
                INSERT INTO server_settings (platform, server_id, answer_channels, updated_at)
                VALUES (@platform, @server_id, @answer_channels, now())
                ON CONFLICT (platform, server_id) DO UPDATE SET
                    answer_channels = excluded.answer_channels,
                    updated_at = excluded.updated_at;
                """);
        command.Parameters.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(platform)));
        command.Parameters.Add(new NpgsqlParameter<string>("server_id", StoreValues.Clean(serverId)));
        if (channels is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("answer_channels", channels));
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    private async Task<List<AuditRecord>> ReadAuditPageAsync(DateTimeOffset since, DateTimeOffset afterAt, string afterId, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // REPEATABLE READ: the page and its feedback come from one snapshot.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var records = new List<AuditRecord>();
                await using (var command = new NpgsqlCommand("""
                    SELECT answer_id, at, platform, server_id, channel_id, user_hash, question,
                           outcome, reason, cited_passage_ids, corpus_version, latency_ms
                    FROM audit
                    WHERE at >= @since AND (at, answer_id) > (@after_at, @after_id)
                    ORDER BY at, answer_id
                    LIMIT @limit;
                    """, connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("after_at", afterAt) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    command.Parameters.Add(new NpgsqlParameter<string>("after_id", afterId));
                    command.Parameters.Add(new NpgsqlParameter<int>("limit", StoreValues.AuditPageSize));
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            records.Add(new AuditRecord
                            {
                                AnswerId = reader.GetString(0),
                                At = reader.GetFieldValue<DateTimeOffset>(1),
                                Platform = reader.GetString(2),
                                ServerId = reader.IsDBNull(3) ? null : reader.GetString(3),
                                ChannelId = reader.IsDBNull(4) ? null : reader.GetString(4),
                                UserHash = reader.IsDBNull(5) ? null : reader.GetString(5),
                                Question = reader.GetString(6),
                                Outcome = Enum.Parse<AnswerOutcome>(reader.GetString(7)),
                                Reason = reader.IsDBNull(8) ? null : reader.GetString(8),
                                CitedPassageIds = reader.GetFieldValue<string[]>(9),
                                CorpusVersion = reader.GetString(10),
                                LatencyMs = reader.GetDouble(11),
                            });
                        }
                    }
                }

                if (records.Count > 0)
                {
                    var feedback = new Dictionary<string, List<Feedback>>(StringComparer.Ordinal);
                    await using (var command = new NpgsqlCommand("""
                        SELECT answer_id, platform, user_id, reaction, comment, at
                        FROM feedback
                        WHERE answer_id = ANY(@answer_ids)
                        ORDER BY answer_id, at, id;
                        """, connection, transaction))
                    {
                        command.Parameters.Add(new NpgsqlParameter<string[]>("answer_ids", records.ConvertAll(r => r.AnswerId).ToArray()));
                        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                            {
                                var item = new Feedback(
                                    reader.GetString(0),
                                    reader.GetString(1),
                                    reader.IsDBNull(2) ? null : reader.GetString(2),
                                    Enum.Parse<FeedbackReaction>(reader.GetString(3)),
                                    reader.IsDBNull(4) ? null : reader.GetString(4),
                                    reader.GetFieldValue<DateTimeOffset>(5));
                                if (!feedback.TryGetValue(item.AnswerId, out var list))
                                {
                                    feedback[item.AnswerId] = list = [];
                                }

                                list.Add(item);
                            }
                        }
                    }

                    for (var i = 0; i < records.Count; i++)
                    {
                        if (feedback.TryGetValue(records[i].AnswerId, out var list))
                        {
                            records[i] = records[i] with { Feedback = list };
                        }
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return records;
            }
        }
    }

    private static NpgsqlParameter<string?> Text(string name, string? value) =>
        new(name, StoreValues.CleanOrNull(value)) { NpgsqlDbType = NpgsqlDbType.Text };

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    [LoggerMessage(EventId = 6200, Level = LogLevel.Information, Message = "State store: applied migration {Version} ({Name}) to {Database}")]
    private static partial void LogMigrationApplied(ILogger logger, int version, string name, string database);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "State store {Database} is at schema version {Version}, newer than this build knows ({Known}); running anyway")]
    private static partial void LogSchemaNewer(ILogger logger, string database, int version, int known);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Debug, Message = "Audit record {AnswerId} was already stored; kept the first")]
    private static partial void LogDuplicateAnswer(ILogger logger, string answerId);
}
