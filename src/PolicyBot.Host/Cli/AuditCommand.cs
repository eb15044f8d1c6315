using System.CommandLine;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot audit export [--index FILE] [--since DATE] [--format jsonl|csv]</c>: writes the audit trail (every
/// question, its outcome, cited passages, corpus version, latency and linked feedback), oldest first, to standard output.
/// </summary>
internal static class AuditCommand
{
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
                var count = await AuditExport.WriteAsync(Console.Out, store.ReadAuditAsync(from, ct), AuditExport.Parse(parse.GetValue(format)), ct);
                await Console.Error.WriteLineAsync($"Exported {count} audit records.");
                return 0;
            }
        });
        return new Command("audit", "The audit trail of questions and answers") { export };
    }
}
