using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Sqlite;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), on the indexes of schema version 3.</summary>
public sealed partial class SqliteBotStore : IAuditQueries
{
    public Task<IReadOnlyList<AuditDayCount>> CountAuditByDayAsync(DateOnly first, DateOnly end, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<AuditDayCount>>(connection =>
        {
            // audit_day_counts: kept by a trigger as questions are written and pruned (schema version 5).
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT day, platform, outcome, n
                FROM audit_day_counts
                WHERE day >= $first AND day < $end AND n > 0;
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
            // feedback_day_counts: kept by a trigger as reactions are written and pruned (schema version 5).
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT day, platform, reaction, n
                FROM feedback_day_counts
                WHERE day >= $first AND day < $end AND n > 0;
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
            AuditSelection.CoverageGaps => "AND " + StoreValues.CoverageGapCondition,
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

    public Task<CoverageGaps> GroupCoverageGapsAsync(DateTimeOffset from, DateTimeOffset to, int top, int samples, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        return RunAsync(connection =>
        {
            // One snapshot for the groups and their samples. Both statements run on the partial indexes of schema
            // version 5 (only gap rows are in them): the range scan of audit_gaps_at is covering, and each group's
            // newest questions are a seek in audit_gaps_terms.
            using var transaction = connection.BeginTransaction(deferred: true);
            var groups = new List<(string Terms, int Asked, int Abstained, long LastUs)>();
            int questions = 0, groupCount = 0;
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = $"""
                    SELECT main_terms, count(*), sum(outcome = 'Abstained'), max(at_us), sum(count(*)) OVER (), count(*) OVER ()
                    FROM audit INDEXED BY audit_gaps_at
                    WHERE at_us >= $from_us AND at_us < $to_us AND main_terms IS NOT NULL AND {StoreValues.CoverageGapCondition}
                    GROUP BY main_terms
                    ORDER BY 2 DESC, 4 DESC, 1
                    LIMIT $top;
                    """;
                command.Parameters.AddWithValue("$from_us", StoreValues.ToMicroseconds(from));
                command.Parameters.AddWithValue("$to_us", StoreValues.ToMicroseconds(to));
                command.Parameters.AddWithValue("$top", top);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    groups.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3)));
                    questions = reader.GetInt32(4);
                    groupCount = reader.GetInt32(5);
                }
            }

            var result = new List<CoverageGapGroup>(groups.Count);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = $"""
                    SELECT question, at_us, suggested_topics
                    FROM audit INDEXED BY audit_gaps_terms
                    WHERE main_terms = $terms AND at_us >= $from_us AND at_us < $to_us AND {StoreValues.CoverageGapCondition}
                    ORDER BY at_us DESC
                    LIMIT $samples;
                    """;
                var terms = command.Parameters.Add("$terms", Microsoft.Data.Sqlite.SqliteType.Text);
                command.Parameters.AddWithValue("$from_us", StoreValues.ToMicroseconds(from));
                command.Parameters.AddWithValue("$to_us", StoreValues.ToMicroseconds(to));
                command.Parameters.AddWithValue("$samples", samples);
                foreach (var g in groups)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    terms.Value = g.Terms;
                    var newest = new List<CoverageGapSample>(samples);
                    using (var reader = command.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            newest.Add(new CoverageGapSample(reader.GetString(0), StoreValues.FromMicroseconds(reader.GetInt64(1)), FromJson(reader.GetString(2))));
                        }
                    }

                    result.Add(new CoverageGapGroup(g.Terms, g.Asked, g.Abstained, g.Asked - g.Abstained, StoreValues.FromMicroseconds(g.LastUs), newest));
                }
            }

            transaction.Commit();
            return new CoverageGaps(questions, groupCount, result);
        }, cancellationToken);
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
