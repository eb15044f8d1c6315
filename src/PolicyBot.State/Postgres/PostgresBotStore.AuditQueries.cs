using Npgsql;
using NpgsqlTypes;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Postgres;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), on the indexes of schema versions 3 and 5.</summary>
public sealed partial class PostgresBotStore : IAuditQueries
{
    public async Task<IReadOnlyList<AuditDayCount>> CountAuditByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();

        // audit_day_counts: kept by a trigger as questions are written and pruned (schema version 5).
        await using var command = _dataSource.CreateCommand("""
            SELECT day, platform, outcome, n
            FROM audit_day_counts
            WHERE day >= @first AND day < @end AND n > 0;
            """);
        Days(command.Parameters, first, end);
        var list = new List<AuditDayCount>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new AuditDayCount(AuditDays.FromEpochDay(reader.GetInt32(0)), reader.GetString(1), Enum.Parse<AnswerOutcome>(reader.GetString(2)), reader.GetInt32(3)));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<FeedbackDayCount>> CountFeedbackByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT day, platform, reaction, n
            FROM feedback_day_counts
            WHERE day >= @first AND day < @end AND n > 0;
            """);
        Days(command.Parameters, first, end);
        var list = new List<FeedbackDayCount>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new FeedbackDayCount(AuditDays.FromEpochDay(reader.GetInt32(0)), reader.GetString(1), Enum.Parse<FeedbackReaction>(reader.GetString(2)), reader.GetInt32(3)));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<LatencyPoint>> ReadLatenciesAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT day, platform, latency_ms
            FROM audit
            WHERE day >= @first AND day < @end AND outcome <> 'Refused';
            """);
        Days(command.Parameters, first, end);
        var list = new List<LatencyPoint>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new LatencyPoint(AuditDays.FromEpochDay(reader.GetInt32(0)), reader.GetString(1), reader.GetDouble(2)));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selection = filter.Selection switch
        {
            AuditSelection.CoverageGaps => "AND " + StoreValues.CoverageGapCondition,
            // The rated-down answers are few: look them up by key (then sort the top), instead of walking every question
            // of the range newest first and probing feedback for each (the plan PostgreSQL picks for IN with a LIMIT).
            AuditSelection.NegativeFeedback => "AND answer_id = ANY(ARRAY(SELECT answer_id FROM feedback WHERE reaction = 'Negative'))",
            _ => "",
        };
        return await ReadRecordsAsync($"""
            WHERE at >= @from AND at < @to AND (@platform::text IS NULL OR platform = @platform) {selection}
            ORDER BY at DESC, answer_id DESC
            LIMIT @limit
            """, p =>
        {
            p.Add(new NpgsqlParameter<DateTimeOffset>("from", filter.From is { } f ? StoreValues.Truncate(f) : DateTimeOffset.MinValue) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            p.Add(new NpgsqlParameter<DateTimeOffset>("to", filter.To is { } t ? StoreValues.Truncate(t) : DateTimeOffset.MaxValue) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            p.Add(Text("platform", filter.Platform));
            p.Add(new NpgsqlParameter<int>("limit", Math.Clamp(filter.Limit, 1, 100_000)));
        }, cancellationToken, filter.IncludeFeedback).ConfigureAwait(false);
    }

    public async Task<CoverageGaps> GroupCoverageGapsAsync(DateTimeOffset from, DateTimeOffset to, int top, int samples, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ThrowIfDisposed();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // REPEATABLE READ: the groups and their samples come from one snapshot. Both statements run on the partial
            // indexes of schema version 5 (only gap rows are in them).
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var groups = new List<(string Terms, int Asked, int Abstained, DateTimeOffset Last)>();
                int questions = 0, groupCount = 0;
                await using (var command = new NpgsqlCommand($"""
                    SELECT main_terms, count(*)::int, (count(*) FILTER (WHERE outcome = 'Abstained'))::int, max(at),
                           (sum(count(*)) OVER ())::int, (count(*) OVER ())::int
                    FROM audit
                    WHERE at >= @from AND at < @to AND main_terms IS NOT NULL AND {StoreValues.CoverageGapCondition}
                    GROUP BY main_terms
                    ORDER BY 2 DESC, 4 DESC, 1
                    LIMIT @top;
                    """, connection, transaction))
                {
                    Range(command.Parameters, from, to);
                    command.Parameters.Add(new NpgsqlParameter<int>("top", top));
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            groups.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3)));
                            questions = reader.GetInt32(4);
                            groupCount = reader.GetInt32(5);
                        }
                    }
                }

                var newest = groups.ToDictionary(g => g.Terms, _ => new List<CoverageGapSample>(samples), StringComparer.Ordinal);
                if (groups.Count > 0)
                {
                    // Each group's newest questions in one round trip: a LATERAL index seek per group.
                    await using var command = new NpgsqlCommand($"""
                        SELECT k.terms, s.question, s.at, s.suggested_topics
                        FROM unnest(@terms) AS k(terms)
                        CROSS JOIN LATERAL (
                            SELECT question, at, suggested_topics
                            FROM audit
                            WHERE main_terms = k.terms AND at >= @from AND at < @to AND {StoreValues.CoverageGapCondition}
                            ORDER BY at DESC
                            LIMIT @samples) s
                        ORDER BY k.terms, s.at DESC;
                        """, connection, transaction);
                    Range(command.Parameters, from, to);
                    command.Parameters.Add(new NpgsqlParameter<string[]>("terms", groups.ConvertAll(g => g.Terms).ToArray()));
                    command.Parameters.Add(new NpgsqlParameter<int>("samples", samples));
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            newest[reader.GetString(0)].Add(new CoverageGapSample(reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<string[]>(3)));
                        }
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new CoverageGaps(questions, groupCount, groups.ConvertAll(g => new CoverageGapGroup(g.Terms, g.Asked, g.Abstained, g.Asked - g.Abstained, g.Last, newest[g.Terms])));
            }
        }
    }

    private static void Days(NpgsqlParameterCollection parameters, DateOnly first, DateOnly end)
    {
        parameters.Add(new NpgsqlParameter<int>("first", checked((int)AuditDays.ToEpochDay(first))));
        parameters.Add(new NpgsqlParameter<int>("end", checked((int)AuditDays.ToEpochDay(end))));
    }

    public async Task<IReadOnlyList<Feedback>> QueryFeedbackAsync(DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT answer_id, platform, user_id, reaction, comment, at
            FROM feedback
            WHERE at >= @from AND at < @to
            ORDER BY id
            LIMIT @limit;
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from is { } f ? StoreValues.Truncate(f) : DateTimeOffset.MinValue) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to is { } t ? StoreValues.Truncate(t) : DateTimeOffset.MaxValue) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", Math.Clamp(limit, 1, 100_000)));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var list = new List<Feedback>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new Feedback(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    Enum.Parse<FeedbackReaction>(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));
            }

            return list;
        }
    }

    private static void Range(NpgsqlParameterCollection parameters, DateTimeOffset from, DateTimeOffset to)
    {
        parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", StoreValues.Truncate(from)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", StoreValues.Truncate(to)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }
}
