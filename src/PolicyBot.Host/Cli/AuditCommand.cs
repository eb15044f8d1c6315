using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyBot.Core.State;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot audit export [--index FILE] [--since DATE] [--format jsonl|csv]</c>: writes the audit trail (every
/// question, its outcome, cited passages, corpus version, latency and linked feedback), oldest first, to standard output.
/// </summary>
internal static class AuditCommand
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var index = CliOptions.Index();
        var since = new Option<string?>("--since") { Description = "Only records at or after this date (yyyy-MM-dd, UTC) or date-time" };
        var format = new Option<string>("--format") { Description = "jsonl (default) or csv", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv");
        var export = new Command("export", "Write the audit trail to standard output") { index, since, format };
        export.SetAction(async (parse, ct) =>
        {
            var (store, from, exit) = await AuditStoreAccess.OpenForCommandAsync(parse.GetValue(index), parse.GetValue(since), ct);
            if (store is null)
            {
                return exit;
            }

            await using (store)
            {
                var csv = parse.GetValue(format) == "csv";
                var output = Console.Out;
                if (csv)
                {
                    await output.WriteLineAsync("answer_id,at,platform,server_id,channel_id,user_hash,question,outcome,reason,cited_passage_ids,corpus_version,latency_ms,feedback_positive,feedback_negative,feedback_comments");
                }

                var count = 0;
                await foreach (var record in store.ReadAuditAsync(from, ct))
                {
                    await output.WriteLineAsync(csv ? Csv(record) : Json(record));
                    count++;
                }

                await output.FlushAsync(ct);
                await Console.Error.WriteLineAsync($"Exported {count} audit records.");
                return 0;
            }
        });
        return new Command("audit", "The audit trail of questions and answers") { export };
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
