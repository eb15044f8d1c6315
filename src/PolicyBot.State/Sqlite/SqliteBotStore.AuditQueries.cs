using System.Runtime.CompilerServices;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Sqlite;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), on the indexes of schema version 3.</summary>
public sealed partial class SqliteBotStore : IAuditQueries
{
    public async IAsyncEnumerable<AuditPoint> ReadAuditPointsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Covered by audit_points (at_us, platform, outcome, latency_ms): one index range scan, no table lookups.
        // One read for the range (a 90-day window of 100k questions is a few MB), so the page sees one snapshot.
        var points = await RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT at_us, platform, outcome, latency_ms
                FROM audit INDEXED BY audit_points
                WHERE at_us >= $from_us AND at_us < $to_us
                ORDER BY at_us;
                """;
            command.Parameters.AddWithValue("$from_us", StoreValues.ToMicroseconds(from));
            command.Parameters.AddWithValue("$to_us", StoreValues.ToMicroseconds(to));
            using var reader = command.ExecuteReader();
            var list = new List<AuditPoint>();
            while (reader.Read())
            {
                list.Add(new AuditPoint(StoreValues.FromMicroseconds(reader.GetInt64(0)), reader.GetString(1), Enum.Parse<AnswerOutcome>(reader.GetString(2)), reader.GetDouble(3)));
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var point in points)
        {
            yield return point;
        }
    }

    public async IAsyncEnumerable<FeedbackPoint> ReadFeedbackPointsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var points = await RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT a.at_us, a.platform, f.reaction
                FROM audit a JOIN feedback f ON f.answer_id = a.answer_id
                WHERE a.at_us >= $from_us AND a.at_us < $to_us
                ORDER BY a.at_us;
                """;
            command.Parameters.AddWithValue("$from_us", StoreValues.ToMicroseconds(from));
            command.Parameters.AddWithValue("$to_us", StoreValues.ToMicroseconds(to));
            using var reader = command.ExecuteReader();
            var list = new List<FeedbackPoint>();
            while (reader.Read())
            {
                list.Add(new FeedbackPoint(StoreValues.FromMicroseconds(reader.GetInt64(0)), reader.GetString(1), Enum.Parse<FeedbackReaction>(reader.GetString(2))));
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var point in points)
        {
            yield return point;
        }
    }

    public Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selection = filter.Selection switch
        {
            AuditSelection.CoverageGaps => "AND (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence < $low))",
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
            p.AddWithValue("$low", filter.ConfidenceBelow);
            p.AddWithValue("$limit", Math.Clamp(filter.Limit, 1, 100_000));
        }), cancellationToken);
    }
}
