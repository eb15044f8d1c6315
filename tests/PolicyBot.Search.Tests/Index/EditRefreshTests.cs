using Lucene.Net.Index;
using PolicyBot.Core.Conversation;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace PolicyBot.Search.Tests.Index;

/// <summary>
/// The reported defect: a corpus file edited right after it was indexed (same size, a write in the same tick of
/// the file system's coarse clock — an editor's quick fix, a `git checkout`, a script) was taken as unchanged by
/// the size + time check, so the edited text never reached the answers. Real index, real files, no touch-ups.
/// </summary>
public sealed class EditRefreshTests
{
    private static Question Q(string text) => new(text, QuestionContext.Cli);

    private const string Before = "---\ntitle: NIST AI RMF\nkind: primary\n---\nThe NIST framework describes a voluntary sandbox programme that tests model robustness.\n";

    // Same length as Before: only a word changes ("voluntary" → "quantumly"), so size alone cannot tell.
    private const string After = "---\ntitle: NIST AI RMF\nkind: primary\n---\nThe NIST framework describes a quantumly sandbox programme that tests model robustness.\n";

    [Fact]
    public async Task Refresh_SameSizeEditWithinTheClockTick_IsVisibleInAnswers()
    {
        Assert.Equal(Before.Length, After.Length);
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        var path = corpus.Write("rmf.md", Before);
        var mtime = File.GetLastWriteTimeUtc(path);
        await using var engine = await corpus.OpenAsync();
        Assert.Contains("voluntary sandbox", engine.Answer(Q("What does the sandbox programme test?")).Citations[0].Passage, StringComparison.Ordinal);

        corpus.Write("rmf.md", After);
        File.SetLastWriteTimeUtc(path, mtime); // what a coarse clock does to a quick second write
        var report = await engine.RefreshAsync(CancellationToken.None);

        Assert.Equal(["rmf.md"], report.Updated);
        var answer = engine.Answer(Q("What does the sandbox programme test?"));
        Assert.True(answer.Answered, answer.Text);
        Assert.Contains("quantumly sandbox", answer.Citations[0].Passage, StringComparison.Ordinal);
        Assert.DoesNotContain(answer.Citations, c => c.Passage.Contains("voluntary sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NextOpen_SameSizeEditWithinTheClockTick_IsVisibleInAnswers()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        var path = corpus.Write("rmf.md", Before);
        var mtime = File.GetLastWriteTimeUtc(path);
        await using (var first = await corpus.OpenAsync())
        {
            Assert.True(first.Answer(Q("What does the sandbox programme test?")).Answered);
        }

        corpus.Write("rmf.md", After);
        File.SetLastWriteTimeUtc(path, mtime);

        // The next `ask` opens the index again and syncs it.
        await using var second = await corpus.OpenAsync();
        Assert.Equal(["rmf.md"], second.LastReport.Updated);
        Assert.Contains("quantumly sandbox", second.Answer(Q("What does the sandbox programme test?")).Citations[0].Passage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_EditAfterTheFileSettled_IsReadOnceThenTrustedBySizeAndTime()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        var path = corpus.Write("rmf.md", Before);
        foreach (var file in Directory.GetFiles(corpus.CorpusDir))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-10)); // written long before the sync
        }

        await using var engine = await corpus.OpenAsync();
        var commits = DirectoryReader.ListCommits(FSDirectory.Open(corpus.IndexPath)).Count;

        // Nothing changed and every file is older than its record's check: nothing is re-indexed, nothing committed.
        var again = await engine.RefreshAsync(CancellationToken.None);
        Assert.False(again.Changed);
        Assert.Equal(3, again.Unchanged);
        Assert.Equal(commits, DirectoryReader.ListCommits(FSDirectory.Open(corpus.IndexPath)).Count);

        corpus.Write("rmf.md", After);
        var report = await engine.RefreshAsync(CancellationToken.None);
        Assert.Equal(["rmf.md"], report.Updated);
        Assert.Contains("quantumly sandbox", engine.Answer(Q("What does the sandbox programme test?")).Citations[0].Passage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_AfterEdits_RanksExactlyLikeAFreshBuildOfTheSameFiles()
    {
        // Lucene keeps replaced passages as deleted documents until a merge; if their terms still counted, an edited
        // corpus would rank differently from the same files indexed fresh.
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        corpus.Write("rmf.md", Before);
        await using var edited = await corpus.OpenAsync();
        for (var round = 0; round < 3; round++)
        {
            corpus.Write("rmf.md", round % 2 == 0 ? After : Before);
            File.SetLastWriteTimeUtc(Path.Combine(corpus.CorpusDir, "rmf.md"), DateTime.UtcNow.AddMinutes(-10 + round));
            Assert.Equal(["rmf.md"], (await edited.RefreshAsync(CancellationToken.None)).Updated);
        }

        var fresh = corpus.Options();
        fresh.IndexPath = Path.Combine(Path.GetDirectoryName(corpus.IndexPath)!, "fresh-index");
        await using var rebuilt = await PolicyBotEngine.OpenAsync(fresh, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None);
        foreach (var question in new[] { "What does the sandbox programme test?", "How is model robustness tested?", "voluntary framework" })
        {
            var a = edited.Answer(Q(question));
            var b = rebuilt.Answer(Q(question));
            Assert.Equal(b.Citations.Select(c => (c.DocumentPath, c.Passage)), a.Citations.Select(c => (c.DocumentPath, c.Passage)));
            Assert.Equal(b.Citations.Select(c => Math.Round(c.Score, 9)), a.Citations.Select(c => Math.Round(c.Score, 9)));
        }
    }
}
