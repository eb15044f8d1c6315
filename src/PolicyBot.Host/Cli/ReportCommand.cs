using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyBot.Host.Serve;
using Spectre.Console;
using PolicyBot.Core.Operations;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot report [--index FILE] [--since DATE] [--top N] [--json]</c>: from the audit trail, the coverage gaps
/// (abstained questions grouped by key words), the most asked topics, the feedback ratio and the slowest answers.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var index = CliOptions.Index();
        var json = CliOptions.Json();
        var since = new Option<string?>("--since") { Description = "Only questions at or after this date (yyyy-MM-dd, UTC) or date-time" };
        var top = new Option<int>("--top") { Description = "Rows per table (1-100)", DefaultValueFactory = _ => 10 };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 100)
            {
                r.AddError("--top must be between 1 and 100");
            }
        });
        var command = new Command("report", "Coverage gaps, most asked topics, feedback ratio and slowest answers from the audit trail") { index, since, top, json };
        command.SetAction(async (parse, ct) =>
        {
            var (store, from, exit) = await AuditStoreAccess.OpenForCommandAsync(parse.GetValue(index), parse.GetValue(since), ct);
            if (store is null)
            {
                return exit;
            }

            await using (store)
            {
                var report = await AuditReport.BuildAsync(store.ReadAuditAsync(from, ct), parse.GetValue(top), ct);
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(Json(report));
                }
                else
                {
                    Print(report, AnsiConsole.Console);
                }

                return 0;
            }
        });
        return command;
    }

    internal static void Print(AuditReport r, IAnsiConsole console)
    {
        var period = r.From is { } f && r.To is { } t ? $" from {f.UtcDateTime:yyyy-MM-dd HH:mm} to {t.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "";
        console.MarkupLine($"[bold]{r.Questions}[/] questions{Markup.Escape(period)}: [green]{r.Answered} answered[/], [yellow]{r.Abstained} abstained[/], [red]{r.Refused} refused[/].");
        var ratio = r.FeedbackRatio is { } q ? q.ToString("P0", CultureInfo.InvariantCulture) : "n/a";
        console.MarkupLine($"Feedback: {r.PositiveFeedback} 👍, {r.NegativeFeedback} 👎 (positive ratio {ratio}).");

        var gaps = new Table().Title("Coverage gaps (abstained questions)").AddColumns("Key words", "Asked", "Example", "Last asked");
        foreach (var g in r.CoverageGaps)
        {
            gaps.AddRow(Markup.Escape(g.Terms), g.Asked.ToString(CultureInfo.InvariantCulture), Markup.Escape(g.Example), g.LastAsked.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        console.Write(gaps);

        var topics = new Table().Title("Most asked topics (first cited document)").AddColumns("Document", "Answers", "👍", "👎");
        foreach (var tp in r.TopTopics)
        {
            topics.AddRow(Markup.Escape(tp.Document), tp.Answers.ToString(CultureInfo.InvariantCulture), tp.Positive.ToString(CultureInfo.InvariantCulture), tp.Negative.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(topics);

        var slow = new Table().Title("Slowest answers").AddColumns("Latency (ms)", "Outcome", "Platform", "Question", "At");
        foreach (var s in r.SlowestAnswers)
        {
            slow.AddRow(s.LatencyMs.ToString("F1", CultureInfo.InvariantCulture), s.Outcome, Markup.Escape(s.Platform), Markup.Escape(s.Question), s.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        console.Write(slow);
        if (r.RefusalReasons.Count > 0)
        {
            var refusals = new Table().Title("Refusals").AddColumns("Reason", "Count");
            foreach (var c in r.RefusalReasons)
            {
                refusals.AddRow(Markup.Escape(c.Name), c.Value.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(refusals);
        }
    }

    internal static string Json(AuditReport r)
        => JsonSerializer.Serialize(CliJson.ReportJson.From(r), CliJsonContext.RelaxedIndented.ReportJson);
}
