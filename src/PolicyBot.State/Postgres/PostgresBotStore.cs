using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Migrations;

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

    /// <summary>A store over <paramref name="database"/> (a <see cref="BotStateOptions.Database"/> value), owning its data source.</summary>
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
                    """, connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<int>("lock_class", MigrationLockClass));
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await MigrationRunner.RunAsync(connection, transaction, PostgresSchema.Current, Description, _logger, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task RecordQuestionAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        StoreValues.CheckRecord(record);
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand(InsertAuditSql);
        BindAudit(command.Parameters, record);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            LogDuplicateAnswer(_logger, record.AnswerId);
        }
    }

    public async Task<int> RecordQuestionsAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            StoreValues.CheckRecord(record);
        }

        ThrowIfDisposed();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // Batches of inserts: one round trip per batch, one transaction for the lot.
                var added = 0;
                foreach (var chunk in records.Chunk(500))
                {
                    var batch = new NpgsqlBatch(connection, transaction);
                    await using (batch.ConfigureAwait(false))
                    {
                        foreach (var record in chunk)
                        {
                            var command = new NpgsqlBatchCommand(InsertAuditSql);
                            BindAudit(command.Parameters, record);
                            batch.BatchCommands.Add(command);
                        }

                        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        foreach (var command in batch.BatchCommands)
                        {
                            added += command.RecordsAffected;
                        }
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return added;
            }
        }
    }

    public async Task<int> FillMainTermsAsync(Core.Text.IQuestionTerms terms, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ThrowIfDisposed();
        var ids = new List<string>();
        var keys = new List<string>();
        await using (var select = _dataSource.CreateCommand("SELECT answer_id, question FROM audit WHERE main_terms IS NULL AND outcome <> 'Refused' LIMIT @limit;"))
        {
            select.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(reader.GetString(0));
                    keys.Add(StoreValues.Clean(terms.MainTerms(reader.GetString(1))));
                }
            }
        }

        if (ids.Count == 0)
        {
            return 0;
        }

        await using var update = _dataSource.CreateCommand("""
            UPDATE audit SET main_terms = k.terms
            FROM unnest(@ids, @terms) AS k(answer_id, terms)
            WHERE audit.answer_id = k.answer_id AND audit.main_terms IS NULL;
            """);
        update.Parameters.Add(new NpgsqlParameter<string[]>("ids", ids.ToArray()));
        update.Parameters.Add(new NpgsqlParameter<string[]>("terms", keys.ToArray()));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ids.Count;
    }

    private const string InsertAuditSql = """
        INSERT INTO audit (answer_id, at, platform, server_id, channel_id, user_hash, question,
                           outcome, reason, cited_passage_ids, corpus_version, latency_ms,
                           answer_text, suggested_topics, confidence, main_terms)
        VALUES (@answer_id, @at, @platform, @server_id, @channel_id, @user_hash, @question,
                @outcome, @reason, @cited_passage_ids, @corpus_version, @latency_ms,
                @answer_text, @suggested_topics, @confidence, @main_terms)
        ON CONFLICT (answer_id) DO NOTHING;
        """;

    private static void BindAudit(NpgsqlParameterCollection p, AuditRecord record)
    {
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
        p.Add(Text("answer_text", record.AnswerText));
        p.Add(new NpgsqlParameter<string[]>("suggested_topics", StoreValues.Clean(record.SuggestedTopics ?? [])));
        p.Add(Text("confidence", record.Confidence));
        p.Add(Text("main_terms", record.MainTerms));
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

    public async Task OptimizeAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();

        // VACUUM runs outside a transaction (each command here autocommits). Autovacuum gets there too, later.
        await using var command = _dataSource.CreateCommand("VACUUM (ANALYZE) audit, feedback;");
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
                    DELETE FROM cache_entries WHERE expires_us < @cutoff_us;
                    DELETE FROM delivery_claims WHERE expires_us < @cutoff_us;
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

                // The triggers counted the deleted rows down; days with nothing left go.
                await using (var command = new NpgsqlCommand("DELETE FROM audit_day_counts WHERE n <= 0; DELETE FROM feedback_day_counts WHERE n <= 0;", connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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

    public async Task<StoredSecret> GetOrCreateSecretAsync(string name, CancellationToken cancellationToken)
    {
        StateKey.Check(name, nameof(name));
        ThrowIfDisposed();
        var cleanName = StoreValues.Clean(name);
        var candidate = StoredSecret.Generate();
        await using (var insert = _dataSource.CreateCommand("""
            INSERT INTO secrets (name, value, created_at) VALUES (@name, @value, now())
            ON CONFLICT (name) DO NOTHING;
            """))
        {
            insert.Parameters.Add(new NpgsqlParameter<string>("name", cleanName));
            insert.Parameters.Add(new NpgsqlParameter<string>("value", candidate));
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return new StoredSecret(name, candidate, created: true);
            }
        }

        // Another process stored it first (its insert committed before ours conflicted): read theirs.
        // A separate statement, so it sees that commit under READ COMMITTED.
        await using var select = _dataSource.CreateCommand("""
            SELECT value FROM secrets WHERE name = @name;
            """);
        select.Parameters.Add(new NpgsqlParameter<string>("name", cleanName));
        var value = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
            ?? throw new InvalidOperationException($"The secret '{name}' conflicted on insert but cannot be read.");
        return new StoredSecret(name, value, created: false);
    }

    public async Task SetAsync(CacheScope scope, string key, string value, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        StateKey.Check(key, nameof(key));
        CacheScope.CheckValue(value, nameof(value));
        ThrowIfDisposed();

        // One batch, one implicit transaction: expired entries of the scope go, the entry becomes the scope's
        // newest, then the oldest beyond capacity go.
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(CacheCommand("""
            DELETE FROM cache_entries WHERE scope = @scope AND expires_us <= @now_us;
            """, scope, key, now));
        var upsert = CacheCommand("""
            INSERT INTO cache_entries (scope, key, value, expires_us, seq)
            VALUES (@scope, @key, @value, @expires_us, nextval('cache_entry_seq'))
            ON CONFLICT (scope, key) DO UPDATE SET
                value = excluded.value, expires_us = excluded.expires_us, seq = excluded.seq;
            """, scope, key, now);
        upsert.Parameters.Add(new NpgsqlParameter<string>("value", StoreValues.Clean(value)));
        upsert.Parameters.Add(new NpgsqlParameter<long>("expires_us", StoreValues.ExpiryMicroseconds(now, scope.TimeToLive)));
        batch.BatchCommands.Add(upsert);
        var evict = CacheCommand("""
            DELETE FROM cache_entries
            WHERE scope = @scope
              AND seq <= (SELECT seq FROM cache_entries WHERE scope = @scope ORDER BY seq DESC OFFSET @capacity LIMIT 1);
            """, scope, key, now);
        evict.Parameters.Add(new NpgsqlParameter<int>("capacity", scope.Capacity));
        batch.BatchCommands.Add(evict);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> GetAsync(CacheScope scope, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        StateKey.Check(key, nameof(key));
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand();
        command.CommandText = """
            SELECT value FROM cache_entries WHERE scope = @scope AND key = @key AND expires_us > @now_us;
            """;
        AddCacheParameters(command.Parameters, scope, key, now);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<bool> RemoveAsync(CacheScope scope, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        StateKey.Check(key, nameof(key));
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            DELETE FROM cache_entries WHERE scope = @scope AND key = @key;
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("scope", StoreValues.Clean(scope.Name)));
        command.Parameters.Add(new NpgsqlParameter<string>("key", StoreValues.Clean(key)));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<bool> TryClaimAsync(string scope, string id, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken)
    {
        StateKey.Check(scope, nameof(scope));
        StateKey.Check(id, nameof(id));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ThrowIfDisposed();

        // One batch, one implicit transaction. Racing claimers of the same id serialise on its primary key:
        // the insert that loses waits for the winner's commit, then does nothing.
        await using var batch = _dataSource.CreateBatch();
        var sweep = new NpgsqlBatchCommand("""
            DELETE FROM delivery_claims WHERE scope = @scope AND expires_us <= @now_us;
            """);
        sweep.Parameters.Add(new NpgsqlParameter<string>("scope", StoreValues.Clean(scope)));
        sweep.Parameters.Add(new NpgsqlParameter<long>("now_us", StoreValues.ToMicroseconds(now)));
        batch.BatchCommands.Add(sweep);
        var claim = new NpgsqlBatchCommand("""
            INSERT INTO delivery_claims (scope, claim_id, expires_us) VALUES (@scope, @id, @expires_us)
            ON CONFLICT (scope, claim_id) DO NOTHING;
            """);
        claim.Parameters.Add(new NpgsqlParameter<string>("scope", StoreValues.Clean(scope)));
        claim.Parameters.Add(new NpgsqlParameter<string>("id", StoreValues.Clean(id)));
        claim.Parameters.Add(new NpgsqlParameter<long>("expires_us", StoreValues.ExpiryMicroseconds(now, lifetime)));
        batch.BatchCommands.Add(claim);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return claim.RecordsAffected == 1;
    }

    private static NpgsqlBatchCommand CacheCommand(string sql, CacheScope scope, string key, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddCacheParameters(command.Parameters, scope, key, now);
        return command;
    }

    private static void AddCacheParameters(NpgsqlParameterCollection parameters, CacheScope scope, string key, DateTimeOffset now)
    {
        parameters.Add(new NpgsqlParameter<string>("scope", StoreValues.Clean(scope.Name)));
        parameters.Add(new NpgsqlParameter<string>("key", StoreValues.Clean(key)));
        parameters.Add(new NpgsqlParameter<long>("now_us", StoreValues.ToMicroseconds(now)));
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

    private Task<List<AuditRecord>> ReadAuditPageAsync(DateTimeOffset since, DateTimeOffset afterAt, string afterId, CancellationToken cancellationToken) =>
        ReadRecordsAsync("""
            WHERE at >= @since AND (at, answer_id) > (@after_at, @after_id)
            ORDER BY at, answer_id
            LIMIT @limit
            """, p =>
        {
            p.Add(new NpgsqlParameter<DateTimeOffset>("since", since) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            p.Add(new NpgsqlParameter<DateTimeOffset>("after_at", afterAt) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            p.Add(new NpgsqlParameter<string>("after_id", afterId));
            p.Add(new NpgsqlParameter<int>("limit", StoreValues.AuditPageSize));
        }, cancellationToken);

    /// <summary>Audit records chosen by <paramref name="where"/> (a WHERE/ORDER/LIMIT tail over <c>audit</c>), with their feedback, from one snapshot.</summary>
    private async Task<List<AuditRecord>> ReadRecordsAsync(string where, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken, bool includeFeedback = true)
    {
        ThrowIfDisposed();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // REPEATABLE READ: the page and its feedback come from one snapshot.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var records = new List<AuditRecord>();
                await using (var command = new NpgsqlCommand($"""
                    SELECT answer_id, at, platform, server_id, channel_id, user_hash, question,
                           outcome, reason, cited_passage_ids, corpus_version, latency_ms,
                           answer_text, suggested_topics, confidence, main_terms
                    FROM audit
                    {where};
                    """, connection, transaction))
                {
                    parameters(command.Parameters);
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
                                AnswerText = reader.IsDBNull(12) ? null : reader.GetString(12),
                                SuggestedTopics = reader.GetFieldValue<string[]>(13),
                                Confidence = reader.IsDBNull(14) ? null : reader.GetString(14),
                                MainTerms = reader.IsDBNull(15) ? null : reader.GetString(15),
                            });
                        }
                    }
                }

                if (records.Count > 0 && includeFeedback)
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

    [LoggerMessage(EventId = 6202, Level = LogLevel.Debug, Message = "Audit record {AnswerId} was already stored; kept the first")]
    private static partial void LogDuplicateAnswer(ILogger logger, string answerId);
}
