using PolicyBot.Testing.Corpus;
using Microsoft.Extensions.Logging;
using Lucene.Net.Index;
using FSDirectory = Lucene.Net.Store.FSDirectory;
using PolicyBot.Search.Index;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Search.Tests.Index;

public class LuceneIndexTests
{
    private static Question Q(string text) => new(text, QuestionContext.Cli);

    [Fact]
    public async Task Open_FreshCorpus_IndexesEveryPassageIntoALuceneFolder()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        Assert.True(DirectoryReader.IndexExists(FSDirectory.Open(corpus.IndexPath)));
        Assert.Equal(3, engine.LastReport.Added.Count);
        Assert.Equal(3, engine.Documents.Count);
        Assert.Empty(engine.LastReport.Skipped);

        using var reader = DirectoryReader.Open(FSDirectory.Open(corpus.IndexPath));
        Assert.Equal(1, reader.DocFreq(new Term(IndexFields.Body, "judiciari")));
        Assert.Equal(engine.View.PassageCount + 3, reader.NumDocs); // every passage plus one record per file
        Assert.Equal(engine.LastReport.BuildId, reader.IndexCommit.UserData[IndexFields.BuildIdKey]);
    }

    [Fact]
    public async Task NextAndPreviousPassage_StayInsideOneDocumentInReadingOrder_AcrossEditsAndMerges()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        void Check()
        {
            var s = engine.Searcher;
            var seen = 0;
            for (var p = 0; p < engine.View.MaxDoc; p++)
            {
                if (!engine.View.IsPassage[p])
                {
                    Assert.Equal(-1, s.NextPassage(p));
                    continue;
                }

                var here = s.Passage(p);
                var next = s.NextPassage(p);
                if (next >= 0)
                {
                    var there = s.Passage(next);
                    Assert.Equal(here.DocumentPath, there.DocumentPath);
                    Assert.Equal(here.Ordinal + 1, there.Ordinal);
                    Assert.Equal(p, s.PreviousPassage(next));
                    seen++;
                }
                else
                {
                    Assert.Equal(engine.View.Documents.Single(d => d.Path == here.DocumentPath).PassageCount - 1, here.Ordinal);
                }
            }

            Assert.True(seen > 0);
            Assert.Equal(-1, s.NextPassage(-1));
            Assert.Equal(-1, s.PreviousPassage(engine.View.MaxDoc + 5));
        }

        Check();
        foreach (var file in Directory.GetFiles(corpus.CorpusDir, "*.md").Take(2))
        {
            File.AppendAllText(file, "\n\nA later paragraph added by an edit, long enough to be a passage of its own in the document.\n");
            corpus.Touch(Path.GetRelativePath(corpus.CorpusDir, file));
        }

        await engine.RefreshAsync(CancellationToken.None);
        Check();
    }

    [Fact]
    public async Task Refresh_EachSync_IsOneCommit()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        foreach (var file in Directory.GetFiles(corpus.CorpusDir))
        {
            // Settled files: a file written within the file clock's tick of its sync is re-read once (EditRefreshTests).
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-10));
        }

        await using var engine = await corpus.OpenAsync();
        var commits = DirectoryReader.ListCommits(FSDirectory.Open(corpus.IndexPath)).Count;
        corpus.Write("new.md", "# New\n\nA note about export controls on advanced chips.");
        corpus.Write("rmf.md", "---\ntitle: NIST AI RMF\nkind: primary\n---\nThe NIST framework is voluntary.\n");
        corpus.Touch("rmf.md");
        File.Delete(Path.Combine(corpus.CorpusDir, "models.md"));
        await engine.RefreshAsync(CancellationToken.None);
        using var directory = FSDirectory.Open(corpus.IndexPath);
        using var reader = DirectoryReader.Open(directory);
        Assert.Equal(commits + 1, reader.IndexCommit.Generation);
        await engine.RefreshAsync(CancellationToken.None);
        Assert.Equal(reader.IndexCommit.Generation, DirectoryReader.Open(directory).IndexCommit.Generation);
    }

    [Fact]
    public async Task Open_AfterSyncs_CheckIndexFindsNoProblem()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using (var engine = await corpus.OpenAsync())
        {
            corpus.Write("rmf.md", "---\ntitle: NIST AI RMF\nkind: primary\n---\nChanged text about the framework.\n");
            corpus.Touch("rmf.md");
            await engine.RefreshAsync(CancellationToken.None);
        }

        using var directory = FSDirectory.Open(corpus.IndexPath);
        var status = new CheckIndex(directory).DoCheckIndex();
        Assert.True(status.Clean);
    }

    [Fact]
    public async Task Refresh_NothingChanged_ReindexesNothing()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using (var first = await corpus.OpenAsync())
        {
            Assert.True(first.LastReport.Changed);
        }

        await using var second = await corpus.OpenAsync();
        Assert.False(second.LastReport.Changed);
        Assert.Equal(3, second.LastReport.Unchanged);
        Assert.Equal(3, second.Documents.Count);
    }

    [Fact]
    public async Task Refresh_ChangedAddedDeletedFiles_AreReflectedInAnswers()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        var before = engine.CorpusVersion;
        Assert.False(engine.Answer(Q("What does the quantum sandbox programme test?")).Answered);

        corpus.Write("rmf.md", "---\ntitle: NIST AI RMF\nkind: primary\n---\nThe NIST framework now describes a quantum sandbox programme that tests model robustness.\n");
        corpus.Touch("rmf.md");
        corpus.Write("new.md", "---\ntitle: Procurement\nkind: note\n---\nProcurement teams should ask vendors for model cards and incident reporting commitments.\n");
        File.Delete(Path.Combine(corpus.CorpusDir, "models.md"));
        var report = await engine.RefreshAsync(CancellationToken.None);

        Assert.Equal(["rmf.md"], report.Updated);
        Assert.Equal(["new.md"], report.Added);
        Assert.Equal(["models.md"], report.Removed);
        Assert.NotEqual(before, engine.CorpusVersion);
        var sandbox = engine.Answer(Q("What does the quantum sandbox programme test?"));
        Assert.True(sandbox.Answered);
        Assert.Contains("quantum sandbox", sandbox.Citations[0].Passage, StringComparison.Ordinal);
        var procurement = engine.Answer(Q("What should procurement teams ask vendors for?"));
        Assert.Equal("new.md", procurement.Citations[0].DocumentPath);
        var removed = engine.Answer(Q("What is the innovation-first model of the United States?"));
        Assert.DoesNotContain(removed.Citations, c => c.DocumentPath == "models.md");
    }

    [Fact]
    public async Task Refresh_TouchedButIdenticalFile_IsNotReindexed()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        corpus.Touch("rmf.md");
        var report = await engine.RefreshAsync(CancellationToken.None);
        Assert.False(report.Changed);
        Assert.Equal(3, report.Unchanged);
    }

    [Fact]
    public async Task Refresh_PreviouslyGoodFileBecomesBroken_KeepsLastGoodVersionAndReportsIt()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        corpus.Write("rmf.md", "---\ntitle: [broken\n---\nText.");
        corpus.Touch("rmf.md");
        var report = await engine.RefreshAsync(CancellationToken.None);
        var skipped = Assert.Single(report.Skipped);
        Assert.Equal("rmf.md", skipped.Path);
        Assert.Contains("previously indexed version is kept", skipped.Reason, StringComparison.Ordinal);
        Assert.True(engine.Answer(Q("What are the four functions of the AI Risk Management Framework?")).Answered);
    }

    [Fact]
    public async Task Open_BadFilesAmongGoodOnes_SkipsEachWithReasonAndIndexesTheRest()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        corpus.Write("bad-yaml.md", "---\ntitle: [oops\n---\nBody.");
        corpus.WriteBytes("binary.md", [0x00, 0x01, 0x02, 0x03]);
        corpus.WriteBytes("latin1.txt", [0x43, 0x61, 0x66, 0xE9, 0x20, 0x61, 0x6E, 0x64, 0x20, 0x6D, 0x6F, 0x72, 0x65]);
        corpus.Write("empty.md", "");
        corpus.Write("huge.md", "# Huge\n\n" + new string('a', 3 * 1024 * 1024));
        corpus.Write("ignored.pdf", "not a corpus format");
        await using var engine = await corpus.OpenAsync();
        var skipped = engine.LastReport.Skipped.ToDictionary(s => s.Path, s => s.Reason);
        Assert.Contains("YAML", skipped["bad-yaml.md"], StringComparison.Ordinal);
        Assert.Contains("binary", skipped["binary.md"], StringComparison.Ordinal);
        Assert.Contains("UTF-8", skipped["latin1.txt"], StringComparison.Ordinal);
        Assert.Contains("empty", skipped["empty.md"], StringComparison.Ordinal);
        Assert.Contains("limit", skipped["huge.md"], StringComparison.Ordinal);
        Assert.DoesNotContain("ignored.pdf", skipped.Keys);
        Assert.Equal(3, engine.Documents.Count);
    }

    [Fact]
    public async Task Open_SymlinkLoop_IsNotFollowed()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        Directory.CreateSymbolicLink(Path.Combine(corpus.CorpusDir, "loop"), corpus.CorpusDir);
        await using var engine = await corpus.OpenAsync();
        Assert.Equal(3, engine.Documents.Count);
        Assert.Contains(engine.LastReport.Skipped, s => s.Path == "loop" && s.Reason.Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_MaintainerFilesAndHiddenFiles_AreNotDocuments()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        corpus.Write("README.md", "# Corpus readme\n\nHow to add documents to the corpus.");
        corpus.Write(".draft.md", "# Draft\n\nHidden draft text.");
        await using var engine = await corpus.OpenAsync();
        Assert.DoesNotContain(engine.Documents, d => d.Path is "README.md" or ".draft.md" or "synonyms.txt");
    }

    [Fact]
    public async Task Sync_Cancelled_LeavesPreviousIndexServing()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        var version = engine.CorpusVersion;
        corpus.Write("another.md", "# Another\n\nA new note about export controls on advanced chips.");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.RefreshAsync(cts.Token));
        Assert.Equal(version, engine.CorpusVersion);
        await using var reopened = await corpus.OpenAsync();
        Assert.Equal(["another.md"], reopened.LastReport.Added);
    }

    [Fact]
    public async Task Open_OldSqliteIndexPath_UsesTheFolderBesideItAndSaysSo()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        var old = Path.Combine(corpus.Root, "index.db");
        await File.WriteAllTextAsync(old, "SQLite format 3");
        var options = corpus.Options();
        options.IndexPath = old;
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var engine = await PolicyBotEngine.OpenAsync(options, loggerFactory, CancellationToken.None);
        Assert.Equal(Path.Combine(corpus.Root, "index"), engine.IndexFolder);
        Assert.Equal(3, engine.Documents.Count);
        Assert.Contains(logs.Entries, e => e.Text is var m && m.Contains("now a Lucene folder", StringComparison.Ordinal) && m.Contains("can be deleted", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_IndexPathIsAFile_SaysTheIndexIsAFolder()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        var file = Path.Combine(corpus.Root, "not-a-folder");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<IOException>(() => new LuceneIndex(file, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Contains("Lucene folder", ex.Message, StringComparison.Ordinal);
    }
}
