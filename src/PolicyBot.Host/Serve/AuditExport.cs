using System.Globalization;
using System.Text.Json;
using PolicyBot.Core.State;

namespace PolicyBot.Host.Serve;

internal enum AuditExportFormat
{
    Jsonl,
    Csv,
}

/// <summary>
/// The audit trail as JSON lines or CSV — one writer for <c>policybot audit export</c> and the dashboard's export
/// links. CSV cells that a spreadsheet would run as a formula are defused (<see cref="CsvField"/>).
/// </summary>
internal static class AuditExport
{
    public const string CsvHeader = "answer_id,at,platform,server_id,channel_id,user_hash,question,outcome,reason,cited_passage_ids,corpus_version,latency_ms,feedback_positive,feedback_negative,feedback_comments,confidence";

    /// <summary>"csv" or "jsonl" (any case); null for anything else.</summary>
    public static AuditExportFormat? Parse(string? format) => format?.ToLowerInvariant() switch
    {
        "csv" => AuditExportFormat.Csv,
        "jsonl" => AuditExportFormat.Jsonl,
        _ => null,
    };

    /// <summary>Writes the records (CSV with its header line) and returns how many were written.</summary>
    public static async Task<int> WriteAsync(TextWriter output, IAsyncEnumerable<AuditRecord> records, AuditExportFormat? format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(records);
        var csv = format == AuditExportFormat.Csv;
        if (csv)
        {
            await output.WriteLineAsync(CsvHeader.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        var count = 0;
        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await output.WriteLineAsync((csv ? Csv(record) : Json(record)).AsMemory(), cancellationToken).ConfigureAwait(false);
            count++;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    internal static string Json(AuditRecord r)
        => JsonSerializer.Serialize(Cli.CliJson.AuditJson.From(r), Cli.CliJsonContext.Relaxed.AuditJson);

    internal static string Csv(AuditRecord r)
    {
        var positive = r.Feedback.Count(f => f.Reaction == Core.Conversation.FeedbackReaction.Positive);
        var fields = new[]
        {
            r.AnswerId,
            Cli.CliJson.Timestamp(r.At),
            r.Platform,
            r.ServerId ?? "",
            r.ChannelId ?? "",
            r.UserHash ?? "",
            r.Question,
            r.Outcome.ToString().ToLowerInvariant(),
            r.Reason ?? "",
            string.Join(' ', r.CitedPassageIds),
            r.CorpusVersion,
            r.LatencyMs.ToString("0.###", CultureInfo.InvariantCulture),
            positive.ToString(CultureInfo.InvariantCulture),
            (r.Feedback.Count - positive).ToString(CultureInfo.InvariantCulture),
            string.Join(" | ", r.Feedback.Select(f => f.Comment).Where(c => !string.IsNullOrEmpty(c))),
            r.Confidence?.ToLowerInvariant() ?? "",
        };
        return string.Join(',', fields.Select(CsvField));
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula.</summary>
    internal static string CsvField(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
