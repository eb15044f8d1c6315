using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PolicyBot.Core.Conversation;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Reliability;

/// <summary><c>policybot index</c> killed with SIGKILL in the middle of a build, then started again.</summary>
public sealed class KillDuringRebuildTests(ITestOutputHelper output)
{
    private const int Documents = 600;

    [Fact]
    public async Task Index_KilledMidBuild_ReopensCompleteAndAnswers()
    {
        using var corpus = new TestCorpus(seed: false);
        for (var i = 0; i < Documents; i++)
        {
            corpus.Write($"gen/doc-{i:D4}.md", Generated(i));
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "policybot.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = corpus.Root,
        };
        foreach (var a in new[] { dll, "index", "--corpus", corpus.CorpusDir, "--index", corpus.IndexPath })
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();

        // Kill once the build is writing: the WAL (or the database) has grown past a few pages.
        var wal = corpus.IndexPath + "-wal";
        var sw = Stopwatch.StartNew();
        while (!child.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60) && Size(wal) + Size(corpus.IndexPath) < 128 * 1024)
        {
            await Task.Delay(2);
        }

        var exitedBeforeKill = child.HasExited;
        child.Kill(entireProcessTree: true); // SIGKILL on Unix
        await child.WaitForExitAsync();
        var printed = await stdout;
        output.WriteLine($"killed after {sw.Elapsed.TotalMilliseconds:F0} ms; index {Size(corpus.IndexPath)} bytes, WAL {Size(wal)} bytes; exit {child.ExitCode}; stderr: {await stderr}");
        Assert.False(exitedBeforeKill, $"the build finished before it could be killed: {printed}");
        Assert.DoesNotContain("Indexed ", printed, StringComparison.Ordinal);
        Assert.Equal(137, child.ExitCode);

        // Start again: the index opens, passes SQLite's integrity check, is completed, and answers.
        sw.Restart();
        await using (var engine = await corpus.OpenAsync())
        {
            sw.Stop();
            output.WriteLine($"reopened and completed in {sw.Elapsed.TotalMilliseconds:F0} ms: {engine.LastReport.Added.Count} added, {engine.LastReport.Updated.Count} updated, {engine.LastReport.Unchanged} unchanged");
            Assert.Equal(Documents, engine.Documents.Count);
            Assert.Empty(engine.LastReport.Skipped);
            foreach (var i in new[] { 0, 377, Documents - 1 })
            {
                var answer = engine.Answer(new Question($"What colour is the zorbium{i} marker?", QuestionContext.Cli));
                Assert.Equal(AnswerOutcome.Answered, answer.Outcome);
                Assert.Contains($"zorbium{i} marker is painted teal", answer.Text, StringComparison.Ordinal);
            }
        }

        await using var connection = new SqliteConnection($"Data Source={corpus.IndexPath};Pooling=False");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
    }

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Generated(int i)
    {
        var n = i.ToString(CultureInfo.InvariantCulture);
        var filler = string.Join(' ', Enumerable.Range(0, 30).Select(k => $"Clause {k} of register {n} covers widget duty {(k * 7919 + i) % 1000} in detail."));
        return TestCorpus.Document(
            $"Generated register {n}",
            $"https://example.org/registers/{n}",
            ("Markers", $"The zorbium{n} marker is painted teal under register {n}."),
            ("Clauses", filler),
            ("More", filler));
    }
}
