using Npgsql;
using NpgsqlTypes;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Postgres;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), on the indexes of schema version 3.</summary>
public sealed partial class PostgresBotStore : IAuditQueries
{
    public async Task<IReadOnlyList<AuditDayCount>> CountAuditByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();

        // audit_points (at) INCLUDE (platform, outcome, latency_ms): an index-only range scan, hash-aggregated by PostgreSQL.
        await using var command = _dataSource.CreateCommand("""
            SELECT floor(extract(epoch FROM at) / 86400)::bigint, platform, outcome, count(*)::int
            FROM audit
            WHERE at >= @from AND at < @to
            GROUP BY 1, 2, 3;
            """);
        Range(command.Parameters, AuditDays.Start(first), AuditDays.Start(end));
        var list = new List<AuditDayCount>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new AuditDayCount(AuditDays.FromEpochDay(reader.GetInt64(0)), reader.GetString(1), Enum.Parse<AnswerOutcome>(reader.GetString(2)), reader.GetInt32(3)));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<FeedbackDayCount>> CountFeedbackByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT floor(extract(epoch FROM a.at) / 86400)::bigint, a.platform, f.reaction, count(*)::int
            FROM audit a JOIN feedback f ON f.answer_id = a.answer_id
            WHERE a.at >= @from AND a.at < @to
            GROUP BY 1, 2, 3;
            """);
        Range(command.Parameters, AuditDays.Start(first), AuditDays.Start(end));
        var list = new List<FeedbackDayCount>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new FeedbackDayCount(AuditDays.FromEpochDay(reader.GetInt64(0)), reader.GetString(1), Enum.Parse<FeedbackReaction>(reader.GetString(2)), reader.GetInt32(3)));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<LatencyPoint>> ReadLatenciesAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT floor(extract(epoch FROM at) / 86400)::bigint, platform, latency_ms
            FROM audit
            WHERE at >= @from AND at < @to AND outcome <> 'Refused';
            """);
        Range(command.Parameters, AuditDays.Start(first), AuditDays.Start(end));
        var list = new List<LatencyPoint>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new LatencyPoint(AuditDays.FromEpochDay(reader.GetInt64(0)), reader.GetString(1), reader.GetDouble(2)));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selection = filter.Selection switch
        {
            AuditSelection.CoverageGaps => "AND (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'))",
            AuditSelection.NegativeFeedback => "AND answer_id IN (SELECT answer_id FROM feedback WHERE reaction = 'Negative')",
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
