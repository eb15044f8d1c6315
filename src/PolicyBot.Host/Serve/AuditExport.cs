using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
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

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("answer_id", r.AnswerId);
            w.WriteString("at", r.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("platform", r.Platform);
            WriteNullable(w, "server_id", r.ServerId);
            WriteNullable(w, "channel_id", r.ChannelId);
            WriteNullable(w, "user_hash", r.UserHash);
            w.WriteString("question", r.Question);
            w.WriteString("outcome", r.Outcome.ToString().ToLowerInvariant());
            WriteNullable(w, "reason", r.Reason);
            w.WriteStartArray("cited_passage_ids");
            foreach (var id in r.CitedPassageIds)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteString("corpus_version", r.CorpusVersion);
            w.WriteNumber("latency_ms", Math.Round(r.LatencyMs, 3));
            WriteNullable(w, "confidence", r.Confidence?.ToLowerInvariant());
            w.WriteStartArray("feedback");
            foreach (var f in r.Feedback)
            {
                w.WriteStartObject();
                w.WriteString("reaction", f.Reaction == Core.Conversation.FeedbackReaction.Positive ? "positive" : "negative");
                WriteNullable(w, "comment", f.Comment);
                w.WriteString("platform", f.Platform);
                w.WriteString("at", f.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static string Csv(AuditRecord r)
    {
        var positive = r.Feedback.Count(f => f.Reaction == Core.Conversation.FeedbackReaction.Positive);
        var fields = new[]
        {
            r.AnswerId,
            r.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
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

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
