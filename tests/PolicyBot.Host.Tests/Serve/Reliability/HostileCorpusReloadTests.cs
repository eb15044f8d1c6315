using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Index;
using PolicyBot.Core.Operations;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Serve.Reliability;

/// <summary>Live reload through the real watcher while a reader keeps asking: the service never stops answering.</summary>
public sealed class HostileCorpusReloadTests(ITestOutputHelper output)
{
    private const string SprocketQuestion = "How often must sprocket rotors be inspected?";
    private const string ReportQuestion = "When does the Gadget Office publish its annual transparency report?";

    private sealed record Reload(IndexReport? Report, Exception? Error, TimeSpan Elapsed);

    [Fact]
    public async Task Watcher_HostileChangesDuringLoad_KeepsAnsweringAndReportsEachBadFile()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var engine = await corpus.OpenAsync();
        var reloads = Channel.CreateUnbounded<Reload>();
        using var metrics = new PolicyBotMetrics();
        await using var watcher = new CorpusWatcher(engine, TimeSpan.FromMilliseconds(150), metrics, NullLogger<CorpusWatcher>.Instance);
        watcher.Reloaded += (report, error, elapsed) => reloads.Writer.TryWrite(new Reload(report, error, elapsed));
        watcher.Start();

        // A reader asking all the time; every answer must be a real answer from some good snapshot.
        using var stop = new CancellationTokenSource();
        var asked = 0;
        var bad = new ConcurrentQueue<string>();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var answer = engine.Answer(new Question(CorpusQuestions.Widgets.Fine, QuestionContext.Cli));
                Interlocked.Increment(ref asked);
                if (answer.Outcome != AnswerOutcome.Answered || !answer.Text.Contains("seven percent", StringComparison.Ordinal))
                {
                    bad.Enqueue($"{answer.Outcome}: {answer.Reason} {answer.Text}");
                }

                Thread.Sleep(1);
            }
        });

        // 1. A one-file edit lands without a restart; measured from the write to the first answer that shows it.
        var sw = Stopwatch.StartNew();
        corpus.Write("gadget-guidance.md", TestCorpus.Document(
            "Gadget Transparency Guidance",
            "https://example.org/gadget-guidance",
            ("Labelling", "Gadget makers label synthetic audio with a visible watermark and a machine-readable disclosure."),
            ("Oversight", "The Gadget Office supervises transparency duties and may request documentation from any gadget maker."),
            ("Reporting", "The Gadget Office publishes its annual transparency report every March.")));
        await WaitUntilAsync(() => engine.Answer(new Question(ReportQuestion, QuestionContext.Cli)).Text.Contains("every March", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        sw.Stop();
        var edit = await NextReloadAsync(reloads);
        Assert.Contains("gadget-guidance.md", edit.Report!.Updated);
        output.WriteLine($"one-file edit: visible to questions {sw.Elapsed.TotalMilliseconds:F0} ms after the write (debounce 150 ms; refresh itself {edit.Elapsed.TotalMilliseconds:F0} ms)");

        // 2. Hostile files arrive together with one good document: the good one lands, each bad one is reported.
        var random = new Random(7);
        var binary = new byte[4096];
        random.NextBytes(binary);
        binary[100] = 0;
        corpus.WriteBytes("binary.md", binary);
        using (var huge = File.Create(Path.Combine(corpus.CorpusDir, "huge.md")))
        {
            huge.SetLength(50L * 1024 * 1024);
        }

        corpus.WriteBytes("invalid-utf8.md", [.. "---\ntitle: \"Bad bytes\"\n---\n\nSome text "u8, 0xC3, 0x28, 0xFF, .. " more text.\n"u8]);
        corpus.Write("bad-yaml.md", "---\ntitle: [unclosed\nsource: {\n---\n\nBody text about widgets.\n");
        Directory.CreateSymbolicLink(Path.Combine(corpus.CorpusDir, "loop"), corpus.CorpusDir);
        corpus.Write("sprocket-rules.md", TestCorpus.Document(
            "Sprocket Rotor Rules", "https://example.org/sprockets", ("Inspection", "Sprocket rotors must be inspected every six months by a certified engineer.")));
        var hostile = await WaitForReloadAsync(reloads, r => r.Report?.Added.Contains("sprocket-rules.md") == true);
        Assert.Null(hostile.Error);
        var skipped = hostile.Report!.Skipped.Select(x => x.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var name in new[] { "binary.md", "huge.md", "invalid-utf8.md", "bad-yaml.md", "loop" })
        {
            Assert.True(skipped.Contains(name), $"{name} not reported; skipped: {string.Join(", ", skipped)}");
        }

        foreach (var s in hostile.Report.Skipped)
        {
            output.WriteLine($"  skipped {s.Path}: {s.Reason}");
        }

        Assert.Contains("six months", engine.Answer(new Question(SprocketQuestion, QuestionContext.Cli)).Text, StringComparison.Ordinal);

        // 3. Files deleted while the refresh reads them.
        var reloadsBefore = watcher.Reloads;
        for (var i = 0; i < 300; i++)
        {
            corpus.Write($"churn/doc-{i}.md", TestCorpus.Document($"Churn {i}", "https://example.org/churn", ("Body", $"Churn document number {i} talks about flux capacitor {i}.")));
        }

        watcher.Poke();
        await Task.Delay(170);
        for (var i = 0; i < 300; i++)
        {
            File.Delete(Path.Combine(corpus.CorpusDir, "churn", $"doc-{i}.md"));
        }

        // The reloads catch up with the deletions: a refresh may still be running (300 files, embeddings included)
        // when the last delete lands, so wait for the outcome, bounded, rather than for a quiet period.
        await WaitUntilAsync(() => watcher.Reloads > reloadsBefore, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => !engine.Documents.Any(d => d.Path.StartsWith("churn/", StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(engine.Documents, d => d.Path.StartsWith("churn/", StringComparison.Ordinal));
        output.WriteLine($"churn: {watcher.Reloads - reloadsBefore} reloads while 300 files were written and deleted mid-refresh");

        // 4. A good document turns bad: its last good version keeps answering.
        corpus.WriteBytes("widget-safety-act.md", [.. "---\ntitle: \"x\"\n---\n\n"u8, 0xFF, 0xFE, 0x00]);
        var broken = await WaitForReloadAsync(reloads, r => r.Report?.Skipped.Any(x => x.Path == "widget-safety-act.md") == true);
        Assert.Contains("kept", broken.Report!.Skipped.First(x => x.Path == "widget-safety-act.md").Reason, StringComparison.Ordinal);
        Assert.Contains("seven percent", engine.Answer(new Question(CorpusQuestions.Widgets.Fine, QuestionContext.Cli)).Text, StringComparison.Ordinal);

        await stop.CancelAsync();
        await reader;
        var errors = new List<Exception>();
        while (reloads.Reader.TryRead(out var r))
        {
            if (r.Error is not null)
            {
                errors.Add(r.Error);
            }
        }

        output.WriteLine($"{asked} questions asked during {watcher.Reloads} reloads; {bad.Count} not answered");
        Assert.Empty(errors);
        Assert.True(bad.IsEmpty, $"{bad.Count} questions not answered during reloads, first: {bad.FirstOrDefault()}");
        Assert.True(asked > 100, $"only {asked} questions asked");
    }

    private static async Task<Reload> NextReloadAsync(Channel<Reload> reloads)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await reloads.Reader.ReadAsync(timeout.Token);
    }

    private static async Task<Reload> WaitForReloadAsync(Channel<Reload> reloads, Func<Reload, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var r = await reloads.Reader.ReadAsync(timeout.Token);
            if (predicate(r))
            {
                return r;
            }
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(5);
        }
    }
}
