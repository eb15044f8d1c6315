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

        var (killedAfter, exit, printed) = await RunIndexAndKillAsync(corpus);
        output.WriteLine($"killed after {killedAfter.TotalMilliseconds:F0} ms; exit {exit}");
        Assert.DoesNotContain("Indexed ", printed, StringComparison.Ordinal);
        Assert.Equal(137, exit);

        // Start again: the index opens, passes SQLite's integrity check, is completed, and answers.
        var sw = Stopwatch.StartNew();
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

    [Fact]
    public async Task Index_KilledMidIncrementalRebuild_KeepsPreviousIndexWholeThenCompletes()
    {
        using var corpus = new TestCorpus(seed: false);
        for (var i = 0; i < Documents; i++)
        {
            corpus.Write($"gen/doc-{i:D4}.md", Generated(i));
        }

        await using (var first = await corpus.OpenAsync())
        {
            Assert.Equal(Documents, first.Documents.Count);
        }

        SqliteConnection.ClearAllPools();

        // Every document changes; the rebuild that applies the change is killed half-way.
        for (var i = 0; i < Documents; i++)
        {
            corpus.Write($"gen/doc-{i:D4}.md", Generated(i).Replace("painted teal", "painted amber", StringComparison.Ordinal));
        }

        var (killedAfter, exit, printed) = await RunIndexAndKillAsync(corpus);
        Assert.Equal(137, exit);
        Assert.DoesNotContain("Indexed ", printed, StringComparison.Ordinal);

        // Before anything syncs again: the index is the previous build, whole — no document half-applied.
        await using (var connection = new SqliteConnection($"Data Source={corpus.IndexPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*), sum(text LIKE '%painted teal%'), sum(text LIKE '%painted amber%') FROM documents";
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            output.WriteLine($"killed after {killedAfter.TotalMilliseconds:F0} ms; after the kill: {reader.GetInt64(0)} documents, {reader.GetInt64(1)} old, {reader.GetInt64(2)} new");
            Assert.Equal(Documents, reader.GetInt64(0));
            Assert.Equal(Documents, reader.GetInt64(1));
            Assert.Equal(0, reader.GetInt64(2));
        }

        await using var engine = await corpus.OpenAsync();
        Assert.Equal(Documents, engine.LastReport.Updated.Count);
        Assert.Contains("zorbium5 marker is painted amber", engine.Answer(new Question("What colour is the zorbium5 marker?", QuestionContext.Cli)).Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs <c>policybot index</c> as a child process and SIGKILLs it once the build is writing (the WAL or the
    /// database has grown past a few pages); fails when the build finished before it could be killed.
    /// </summary>
    private static async Task<(TimeSpan KilledAfter, int ExitCode, string Output)> RunIndexAndKillAsync(TestCorpus corpus)
    {
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
        var wal = corpus.IndexPath + "-wal";
        var baseline = Size(wal) + Size(corpus.IndexPath);
        var sw = Stopwatch.StartNew();
        while (!child.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60) && Size(wal) + Size(corpus.IndexPath) < baseline + (128 * 1024))
        {
            await Task.Delay(2);
        }

        var exitedBeforeKill = child.HasExited;
        child.Kill(entireProcessTree: true); // SIGKILL on Unix
        await child.WaitForExitAsync();
        var printed = await stdout + await stderr;
        Assert.False(exitedBeforeKill, $"the build finished before it could be killed: {printed}");
        return (sw.Elapsed, child.ExitCode, printed);
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
