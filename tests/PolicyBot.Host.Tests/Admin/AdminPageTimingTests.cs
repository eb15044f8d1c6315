using System.Globalization;
using PolicyBot.Host.Cli;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Admin;

/// <summary>
/// Page times with 100,000 audit records in the real SQLite store (90 days, with feedback), over HTTP on loopback,
/// through the same harness as <c>policybot bench --admin</c> (which also measures PostgreSQL). Prints the table. The
/// budget is POLICYBOT_ADMIN_P95_MS (default 1000 ms, a guard against a page going quadratic on a loaded CI
/// machine); the 200 ms is measured with the bench command in Release (numbers in docs/operations.md).
/// </summary>
public sealed class AdminPageTimingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Pages_At100kAuditRecords_P95WithinBudget()
    {
        var budget = double.Parse(Environment.GetEnvironmentVariable("POLICYBOT_ADMIN_P95_MS") is { Length: > 0 } b ? b : "1000", CultureInfo.InvariantCulture);
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        using var progress = new StringWriter();

        var result = await AdminBenchmark.RunAsync(new AdminBenchmarkSettings { Records = 100_000, Runs = 20, Corpus = [corpus.CorpusDir] }, progress, CancellationToken.None);

        output.WriteLine(progress.ToString());
        output.WriteLine(AdminBenchmark.Text(result));
        Assert.Equal(AdminBenchmark.Pages, result.Pages.Select(p => p.Page));
        Assert.True(result.ExportLines > 99_000, $"the export has {result.ExportLines} lines");
        Assert.All(result.Pages.Where(p => p.Page.StartsWith("/admin/gaps", StringComparison.Ordinal)), p => Assert.True(p.Bytes > 10_000, $"{p.Page} shows no groups ({p.Bytes} bytes)"));
        var worst = result.Pages.MaxBy(p => p.P95Ms)!;
        Assert.True(worst.P95Ms <= budget, $"{worst.Page} p95 {worst.P95Ms:0.0} ms is over the {budget} ms budget");
    }
}
