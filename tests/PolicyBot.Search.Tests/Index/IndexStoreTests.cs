using Microsoft.Data.Sqlite;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Tests.Support;

namespace PolicyBot.Search.Tests.Index;

public class IndexStoreTests
{
    private static Question Q(string text) => new(text, QuestionContext.Cli);

    [Fact]
    public async Task Open_FreshCorpus_IndexesEveryDocumentIntoSqliteFile()
    {
        using var corpus = TempCorpus.WithPolicyNotes();
        await using var engine = await corpus.OpenAsync();
        Assert.True(File.Exists(corpus.IndexPath));
        Assert.Equal(3, engine.LastReport.Added.Count);
        Assert.Equal(3, engine.Documents.Count);
        Assert.Empty(engine.LastReport.Skipped);

        await using var c = new SqliteConnection($"Data Source={corpus.IndexPath}");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'judiciari'";
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Refresh_NothingChanged_ReindexesNothing()
    {
        using var corpus = TempCorpus.WithPolicyNotes();
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
        using var corpus = TempCorpus.WithPolicyNotes();
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
        using var corpus = TempCorpus.WithPolicyNotes();
        await using var engine = await corpus.OpenAsync();
        corpus.Touch("rmf.md");
        var report = await engine.RefreshAsync(CancellationToken.None);
        Assert.False(report.Changed);
        Assert.Equal(3, report.Unchanged);
    }

    [Fact]
    public async Task Refresh_PreviouslyGoodFileBecomesBroken_KeepsLastGoodVersionAndReportsIt()
    {
        using var corpus = TempCorpus.WithPolicyNotes();
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
        using var corpus = TempCorpus.WithPolicyNotes();
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
        using var corpus = TempCorpus.WithPolicyNotes();
        Directory.CreateSymbolicLink(Path.Combine(corpus.CorpusDir, "loop"), corpus.CorpusDir);
        await using var engine = await corpus.OpenAsync();
        Assert.Equal(3, engine.Documents.Count);
        Assert.Contains(engine.LastReport.Skipped, s => s.Path == "loop" && s.Reason.Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_MaintainerFilesAndHiddenFiles_AreNotDocuments()
    {
        using var corpus = TempCorpus.WithPolicyNotes();
        corpus.Write("README.md", "# Corpus readme\n\nHow to add documents to the corpus.");
        corpus.Write(".draft.md", "# Draft\n\nHidden draft text.");
        await using var engine = await corpus.OpenAsync();
        Assert.DoesNotContain(engine.Documents, d => d.Path is "README.md" or ".draft.md" or "synonyms.txt");
    }

    [Fact]
    public async Task Sync_Cancelled_LeavesPreviousIndexServing()
    {
        using var corpus = TempCorpus.WithPolicyNotes();
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
    public async Task Open_IndexFileFromAnotherSchemaVersion_IsRebuilt()
    {
        using var corpus = TempCorpus.WithPolicyNotes();
        Directory.CreateDirectory(Path.GetDirectoryName(corpus.IndexPath)!);
        await using (var c = new SqliteConnection($"Data Source={corpus.IndexPath}"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '0'); CREATE TABLE documents(x);";
            await cmd.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var engine = await corpus.OpenAsync();
        Assert.Equal(3, engine.Documents.Count);
    }
}
