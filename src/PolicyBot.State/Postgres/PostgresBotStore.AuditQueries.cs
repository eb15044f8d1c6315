using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.State.Postgres;

/// <summary>The admin dashboard's reads (<see cref="IAuditQueries"/>), on the indexes of schema version 3.</summary>
public sealed partial class PostgresBotStore : IAuditQueries
{
    public async IAsyncEnumerable<AuditPoint> ReadAuditPointsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();

        // audit_points (at) INCLUDE (platform, outcome, latency_ms): an index-only range scan.
        await using var command = _dataSource.CreateCommand("""
            SELECT at, platform, outcome, latency_ms FROM audit
            WHERE at >= @from AND at < @to
            ORDER BY at;
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", StoreValues.Truncate(from)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", StoreValues.Truncate(to)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new AuditPoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), Enum.Parse<AnswerOutcome>(reader.GetString(2)), reader.GetDouble(3));
            }
        }
    }

    public async IAsyncEnumerable<FeedbackPoint> ReadFeedbackPointsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            SELECT a.at, a.platform, f.reaction
            FROM audit a JOIN feedback f ON f.answer_id = a.answer_id
            WHERE a.at >= @from AND a.at < @to
            ORDER BY a.at;
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", StoreValues.Truncate(from)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", StoreValues.Truncate(to)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new FeedbackPoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), Enum.Parse<FeedbackReaction>(reader.GetString(2)));
            }
        }
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selection = filter.Selection switch
        {
            AuditSelection.CoverageGaps => "AND (outcome = 'Abstained' OR (outcome = 'Answered' AND confidence < @low))",
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
            p.Add(new NpgsqlParameter<double>("low", filter.ConfidenceBelow));
            p.Add(new NpgsqlParameter<int>("limit", Math.Clamp(filter.Limit, 1, 100_000)));
        }, cancellationToken).ConfigureAwait(false);
    }
}
