using System.Diagnostics;
using System.Globalization;
using Lucene.Net.Index;
using FSDirectory = Lucene.Net.Store.FSDirectory;
using PolicyBot.Core.Conversation;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Serve.Reliability;

/// <summary><c>policybot index</c> killed with SIGKILL in the middle of a build, then started again.</summary>
public sealed class KillDuringRebuildTests(ITestOutputHelper output)
{
    private const int Documents = 600;

    [Fact]
    public async Task Index_KilledMidBuild_ReopensCompleteAndAnswers()
    {
        using var corpus = new TestCorpus();
        for (var i = 0; i < Documents; i++)
        {
            corpus.Write($"gen/doc-{i:D4}.md", Generated(i));
        }

        var (killedAfter, exit, printed) = await RunIndexAndKillAsync(corpus);
        output.WriteLine($"killed after {killedAfter.TotalMilliseconds:F0} ms; exit {exit}");
        Assert.DoesNotContain("Indexed ", printed, StringComparison.Ordinal);
        Assert.Equal(137, exit);

        // Start again: the index opens, is completed, answers, and passes Lucene's CheckIndex.
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

        AssertCheckIndexClean(corpus.IndexPath);
    }

    [Fact]
    public async Task Index_KilledMidIncrementalRebuild_KeepsPreviousIndexWholeThenCompletes()
    {
        using var corpus = new TestCorpus();
        for (var i = 0; i < Documents; i++)
        {
            corpus.Write($"gen/doc-{i:D4}.md", Generated(i));
        }

        await using (var first = await corpus.OpenAsync())
        {
            Assert.Equal(Documents, first.Documents.Count);
        }

        // Every document changes; the rebuild that applies the change is killed half-way.
        for (var i = 0; i < Documents; i++)
        {
            corpus.Write($"gen/doc-{i:D4}.md", Generated(i).Replace("painted teal", "painted amber", StringComparison.Ordinal));
        }

        var (killedAfter, exit, printed) = await RunIndexAndKillAsync(corpus);
        Assert.Equal(137, exit);
        Assert.DoesNotContain("Indexed ", printed, StringComparison.Ordinal);

        // Before anything syncs again: the index is the previous build, whole — no document half-applied.
        using (var directory = FSDirectory.Open(corpus.IndexPath))
        using (var reader = DirectoryReader.Open(directory))
        {
            var teal = reader.DocFreq(new Term("body", "teal"));
            var amber = reader.DocFreq(new Term("body", "amber"));
            output.WriteLine($"killed after {killedAfter.TotalMilliseconds:F0} ms; after the kill: {reader.NumDocs} documents, {teal} old markers, {amber} new");
            Assert.Equal(Documents, teal);
            Assert.Equal(0, amber);
        }

        AssertCheckIndexClean(corpus.IndexPath);
        await using var engine = await corpus.OpenAsync();
        Assert.Equal(Documents, engine.LastReport.Updated.Count);
        Assert.Contains("zorbium5 marker is painted amber", engine.Answer(new Question("What colour is the zorbium5 marker?", QuestionContext.Cli)).Text, StringComparison.Ordinal);
        AssertCheckIndexClean(corpus.IndexPath);
    }

    private static void AssertCheckIndexClean(string indexPath)
    {
        using var directory = FSDirectory.Open(indexPath);
        var status = new CheckIndex(directory).DoCheckIndex();
        Assert.True(status.Clean, $"CheckIndex found problems in {indexPath}");
    }

    /// <summary>
    /// Runs <c>policybot index</c> as a child process and SIGKILLs it once the build is writing (the index folder
    /// has grown by 128 KB: Lucene streams stored fields and term vectors to the new segment before its commit);
    /// fails when the build finished before it could be killed.
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
        var baseline = Size(corpus.IndexPath);
        var sw = Stopwatch.StartNew();
        while (!child.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60) && Size(corpus.IndexPath) < baseline + (128 * 1024))
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

    /// <summary>Bytes in the index folder's files (0 before it exists).</summary>
    private static long Size(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles().Sum(f => f.Exists ? f.Length : 0) : 0;
        }
        catch (IOException)
        {
            return 0; // a file vanished while we looked (Lucene deletes unreferenced files)
        }
    }

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
