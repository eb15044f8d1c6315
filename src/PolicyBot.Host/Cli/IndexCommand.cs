using System.CommandLine;
using PolicyBot.Core;
using PolicyBot.Search.Index;
using PolicyBot.Search;

namespace PolicyBot.Host.Cli;

/// <summary><c>policybot index [--corpus DIR]... [--index FILE]</c>: builds or refreshes the index and says what it did.</summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var corpus = CliOptions.Corpus();
        var index = CliOptions.Index();
        var command = new Command("index", "Build or refresh the index from the corpus folders") { corpus, index };
        command.SetAction(async (parse, ct) =>
        {
            using var loggers = CliOptions.CliLoggerFactory();
            var options = CliOptions.EngineOptions(parse.GetValue(corpus), parse.GetValue(index));
            await using var engine = await PolicyBotEngine.OpenAsync(options, loggers, ct);
            Print(engine.LastReport, engine.IndexFolder, Console.Out);
            return engine.LastReport.Documents == 0 ? 1 : 0;
        });
        return command;
    }

    public static void Print(IndexReport report, string indexPath, TextWriter output)
    {
        foreach (var p in report.Added)
        {
            output.WriteLine($"  added     {p}");
        }

        foreach (var p in report.Updated)
        {
            output.WriteLine($"  updated   {p}");
        }

        foreach (var p in report.Removed)
        {
            output.WriteLine($"  removed   {p}");
        }

        foreach (var s in report.Skipped)
        {
            output.WriteLine($"  skipped   {s.Path}{(s.Line is { } l ? $":{l}" : "")}: {s.Reason}");
        }

        output.WriteLine(
            $"Indexed {report.Documents} documents ({report.Passages} passages) into {indexPath}: " +
            $"{report.Added.Count} added, {report.Updated.Count} updated, {report.Removed.Count} removed, {report.Unchanged} unchanged, " +
            $"{report.Skipped.Count} skipped, in {report.Elapsed.TotalMilliseconds:F0} ms (build {report.BuildId}).");
        if (report.Documents == 0)
        {
            output.WriteLine("Nothing could be indexed: check the --corpus folder.");
        }
    }
}
