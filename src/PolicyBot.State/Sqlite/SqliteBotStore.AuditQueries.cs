using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Sqlite;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), on the indexes of schema version 3.</summary>
public sealed partial class SqliteBotStore : IAuditQueries
{
    public Task<IReadOnlyList<AuditDayCount>> CountAuditByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<AuditDayCount>>(connection =>
        {
            // audit_days is an index on (at_us / 86400000000, platform, outcome, latency_ms): the scan comes out in
            // GROUP BY order, so SQLite counts without sorting (the literal must match the index's expression).
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT at_us / 86400000000, platform, outcome, count(*)
                FROM audit INDEXED BY audit_days
                WHERE at_us / 86400000000 >= $first AND at_us / 86400000000 < $end
                GROUP BY 1, 2, 3;
                """;
            Range(command.Parameters, first, end);
            using var reader = command.ExecuteReader();
            var list = new List<AuditDayCount>();
            while (reader.Read())
            {
                list.Add(new AuditDayCount(AuditDays.FromEpochDay(reader.GetInt64(0)), reader.GetString(1), Enum.Parse<AnswerOutcome>(reader.GetString(2)), reader.GetInt32(3)));
            }

            return list;
        }, cancellationToken);

    public Task<IReadOnlyList<FeedbackDayCount>> CountFeedbackByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<FeedbackDayCount>>(connection =>
        {
            // Reactions are far fewer than questions: CROSS JOIN makes SQLite walk feedback and look each question
            // up by its key, instead of probing feedback once for every question in the range.
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT a.at_us / 86400000000, a.platform, f.reaction, count(*)
                FROM feedback f CROSS JOIN audit a ON a.answer_id = f.answer_id
                WHERE a.at_us / 86400000000 >= $first AND a.at_us / 86400000000 < $end
                GROUP BY 1, 2, 3;
                """;
            Range(command.Parameters, first, end);
            using var reader = command.ExecuteReader();
            var list = new List<FeedbackDayCount>();
            while (reader.Read())
            {
                list.Add(new FeedbackDayCount(AuditDays.FromEpochDay(reader.GetInt64(0)), reader.GetString(1), Enum.Parse<FeedbackReaction>(reader.GetString(2)), reader.GetInt32(3)));
            }

            return list;
        }, cancellationToken);

    public Task<IReadOnlyList<LatencyPoint>> ReadLatenciesAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<LatencyPoint>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT at_us / 86400000000, platform, latency_ms
                FROM audit INDEXED BY audit_days
                WHERE at_us / 86400000000 >= $first AND at_us / 86400000000 < $end AND outcome <> 'Refused';
                """;
            Range(command.Parameters, first, end);
            using var reader = command.ExecuteReader();
            var list = new List<LatencyPoint>();
            var day = long.MinValue;
            var date = default(DateOnly);
            string? platform = null;
            while (reader.Read())
            {
                var d = reader.GetInt64(0);
                if (d != day)
                {
                    day = d;
                    date = AuditDays.FromEpochDay(d);
                }

                // Platforms are few: reuse the previous row's string instead of allocating one per row.
                var p = reader.GetString(1);
                platform = p == platform ? platform : p;
                list.Add(new LatencyPoint(date, platform, reader.GetDouble(2)));
            }

            return list;
        }, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selection = filter.Selection switch
        {
            AuditSelection.CoverageGaps => "AND (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence = 'Low'))",
            AuditSelection.NegativeFeedback => "AND answer_id IN (SELECT answer_id FROM feedback WHERE reaction = 'Negative')",
            _ => "",
        };
        return RunAsync<IReadOnlyList<AuditRecord>>(connection => ReadRecords(connection, $"""
            WHERE at_us >= $from_us AND at_us < $to_us AND ($platform IS NULL OR platform = $platform) {selection}
            ORDER BY at_us DESC, answer_id DESC
            LIMIT $limit
            """, p =>
        {
            p.AddWithValue("$from_us", filter.From is { } f ? StoreValues.ToMicroseconds(f) : long.MinValue);
            p.AddWithValue("$to_us", filter.To is { } t ? StoreValues.ToMicroseconds(t) : long.MaxValue);
            p.AddWithValue("$platform", (object?)filter.Platform ?? DBNull.Value);
            p.AddWithValue("$limit", Math.Clamp(filter.Limit, 1, 100_000));
        }, filter.IncludeFeedback), cancellationToken);
    }

    public Task<IReadOnlyList<Feedback>> QueryFeedbackAsync(DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Feedback>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT answer_id, platform, user_id, reaction, comment, at_us
                FROM feedback
                WHERE at_us >= $from_us AND at_us < $to_us
                ORDER BY id
                LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$from_us", from is { } f ? StoreValues.ToMicroseconds(f) : long.MinValue);
            command.Parameters.AddWithValue("$to_us", to is { } t ? StoreValues.ToMicroseconds(t) : long.MaxValue);
            command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 100_000));
            using var reader = command.ExecuteReader();
            var list = new List<Feedback>();
            while (reader.Read())
            {
                list.Add(new Feedback(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    Enum.Parse<FeedbackReaction>(reader.GetString(3)),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    StoreValues.FromMicroseconds(reader.GetInt64(5))));
            }

            return list;
        }, cancellationToken);

    private static void Range(Microsoft.Data.Sqlite.SqliteParameterCollection parameters, DateOnly first, DateOnly end)
    {
        parameters.AddWithValue("$first", AuditDays.ToEpochDay(first));
        parameters.AddWithValue("$end", AuditDays.ToEpochDay(end));
    }
}
