using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Corpus;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace PolicyBot.Search.Index;

/// <summary>What a sync did.</summary>
public sealed record IndexReport
{
    public IReadOnlyList<string> Added { get; init; } = [];

    public IReadOnlyList<string> Updated { get; init; } = [];

    public IReadOnlyList<string> Removed { get; init; } = [];

    public int Unchanged { get; init; }

    public IReadOnlyList<SkippedFile> Skipped { get; init; } = [];

    public int Documents { get; init; }

    public int Passages { get; init; }

    public string BuildId { get; init; } = "";

    public TimeSpan Elapsed { get; init; }

    /// <summary>Why the index could not be written (another process holds its write lock); the last commit is served.</summary>
    public string? ReadOnlyReason { get; init; }

    public bool Changed => Added.Count + Updated.Count + Removed.Count > 0;
}

/// <summary>
/// The corpus index: a Lucene index in a folder (<see cref="IndexFields"/> describes its documents). A sync
/// compares every corpus file with its record by size, time and content hash, deletes and re-adds the passages
/// of changed files by their path term, and ends with one <c>Commit</c>, so a crash at any point leaves the
/// previous commit whole and the next start finishes the job. Readers come from a <see cref="SearcherManager"/>
/// that the owner refreshes after each sync; the writer is open only while a sync runs.
/// </summary>
public sealed partial class LuceneIndex : IDisposable
{
    private readonly ILogger _logger;
    private readonly LuceneDirectory _directory;

    public LuceneIndex(string path, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
        if (File.Exists(Path))
        {
            throw new IOException($"The index path '{path}' is a file; the index is now a Lucene folder. Pass a folder to --index (for example {IndexPaths.FromLegacy(path)}).");
        }

        System.IO.Directory.CreateDirectory(Path);
        _directory = FSDirectory.Open(Path);
    }

    public string Path { get; }

    /// <summary>Opens the manager of the index's readers (the index must have a commit: sync first).</summary>
    public SearcherManager OpenSearcherManager() => new(_directory, null);

    public bool HasCommit => DirectoryReader.IndexExists(_directory);

    /// <summary>Brings the index in line with the corpus folders; one commit.</summary>
    public IndexReport Sync(IReadOnlyList<string> corpusDirectories, long maxBytes, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var startedTicks = DateTime.UtcNow.Ticks;
        var (files, skipped) = CorpusScanner.Scan(corpusDirectories);
        var sameSchema = SchemaMatches();
        var existing = sameSchema ? ReadRecords() : [];
        var hadCommit = HasCommit && sameSchema;

        // An index written with another analysis or layout is rebuilt whole (its terms would not match the queries').
        var writer = TryOpenWriter(sameSchema ? OpenMode.CREATE_OR_APPEND : OpenMode.CREATE, out var busy);
        if (writer is null)
        {
            var (docs0, passages0, build0) = Summary(existing.Values);
            return new IndexReport
            {
                Skipped = skipped,
                Documents = docs0,
                Passages = passages0,
                BuildId = build0,
                Unchanged = existing.Count,
                ReadOnlyReason = busy,
                Elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started),
            };
        }

        var added = new List<string>();
        var updated = new List<string>();
        var removed = new List<string>();
        var unchanged = 0;
        var touched = 0;
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var current = new Dictionary<string, StoredRecord>(existing, StringComparer.Ordinal);
        try
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                present.Add(file.FullPath);
                var had = existing.TryGetValue(file.FullPath, out var old);
                if (had && old!.Size == file.Size && old.Mtime == file.ModifiedTicks && old.Path == file.RelativePath && !IsRacy(old.Mtime, old.Checked))
                {
                    unchanged++;
                    continue;
                }

                SourceDocument doc;
                try
                {
                    doc = DocumentReader.Read(file.FullPath, file.RelativePath, maxBytes);
                }
                catch (DocumentReadException ex)
                {
                    skipped.Add(new SkippedFile(file.RelativePath, had ? $"{ex.Message} (the previously indexed version is kept)" : ex.Message, ex.Line));
                    continue;
                }

                if (had && old!.Hash == doc.ContentHash && old.Path == doc.Path)
                {
                    if (old.Size == file.Size && old.Mtime == file.ModifiedTicks && IsRacy(file.ModifiedTicks, startedTicks))
                    {
                        // Re-read because it was racy, and still too fresh to be trusted next time: check it again then.
                        unchanged++;
                        continue;
                    }

                    // Touched (or re-read after a racy record), not changed: only the record's size and times move.
                    var record = old with { Size = file.Size, Mtime = file.ModifiedTicks, Checked = startedTicks };
                    writer.UpdateDocument(new Term(IndexFields.Record, file.FullPath), RecordDocument(record));
                    current[file.FullPath] = record;
                    touched++;
                    unchanged++;
                    continue;
                }

                if (had)
                {
                    writer.DeleteDocuments(new Term(IndexFields.File, file.FullPath));
                    updated.Add(doc.Path);
                }
                else
                {
                    added.Add(doc.Path);
                }

                current[file.FullPath] = Add(writer, doc, file, now, startedTicks);
            }

            foreach (var (fullPath, old) in existing)
            {
                if (!present.Contains(fullPath))
                {
                    writer.DeleteDocuments(new Term(IndexFields.File, fullPath));
                    current.Remove(fullPath);
                    removed.Add(old.Path);
                }
            }

            var (docs, passages, buildId) = Summary(current.Values);
            var changed = added.Count + updated.Count + removed.Count > 0;
            if (changed || touched > 0 || !hadCommit)
            {
                if (updated.Count + removed.Count > 0)
                {
                    // Lucene keeps a replaced or removed passage in its segment, marked deleted, until a merge; its
                    // terms still count in the document frequencies our ranking reads, so an edited corpus ranked
                    // differently from the same corpus built fresh (measured: fact 0.839 → 0.832 on the policy set
                    // after three one-byte edits). Merging the segments that hold deletions makes the statistics
                    // those of the live passages again; only segments with deletions are rewritten.
                    writer.ForceMergeDeletes(doWait: true);
                }

                writer.SetCommitData(CommitData(buildId, changed || !hadCommit ? now : ReadCommitData().BuiltAt ?? now));
                writer.Commit();
            }

            var report = new IndexReport
            {
                Added = added,
                Updated = updated,
                Removed = removed,
                Unchanged = unchanged,
                Skipped = skipped,
                Documents = docs,
                Passages = passages,
                BuildId = buildId,
                Elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started),
            };
            LogSynced(_logger, report.Added.Count, report.Updated.Count, report.Removed.Count, report.Skipped.Count, report.Elapsed.TotalMilliseconds);
            return report;
        }
        finally
        {
            // Nothing uncommitted survives: a cancelled or failed sync rolls back to the last commit.
            writer.Rollback();
            writer.Dispose();
        }
    }

    /// <summary>Indexes documents given directly (evaluation collections), replacing everything; one commit.</summary>
    public int ReplaceAll(IEnumerable<SourceDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var writer = TryOpenWriter(OpenMode.CREATE, out var busy) ?? throw new IOException(busy);
        try
        {
            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            var records = new List<StoredRecord>();
            foreach (var doc in documents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                records.Add(Add(writer, doc, new CorpusFile(doc.FullPath, doc.Path, doc.Text.Length, 0), now, 0));
            }

            var (_, _, buildId) = Summary(records);
            writer.SetCommitData(CommitData(buildId, now));
            writer.Commit();
            return records.Count;
        }
        finally
        {
            writer.Rollback();
            writer.Dispose();
        }
    }

    /// <summary>The build id and time of the last commit.</summary>
    public (string? BuildId, string? BuiltAt) ReadCommitData()
    {
        if (!HasCommit)
        {
            return (null, null);
        }

        using var reader = DirectoryReader.Open(_directory);
        var data = reader.IndexCommit.UserData;
        return (data.TryGetValue(IndexFields.BuildIdKey, out var b) ? b : null, data.TryGetValue(IndexFields.BuiltAtKey, out var t) ? t : null);
    }

    private static Dictionary<string, string> CommitData(string buildId, string builtAt) => new(StringComparer.Ordinal)
    {
        [IndexFields.BuildIdKey] = buildId,
        [IndexFields.BuiltAtKey] = builtAt,
        [IndexFields.SchemaKey] = IndexFields.SchemaVersion,
    };

    /// <summary>
    /// Another process (a running <c>serve</c>, or an <c>ask</c> beside it) may hold the write lock for the length of
    /// its sync: wait for it a little (20 tries, 250 ms apart), then serve the last commit read-only rather than fail.
    /// </summary>
    private static readonly ResiliencePipeline WriteLockWait = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<LockObtainFailedException>(),
            MaxRetryAttempts = 20,
            Delay = TimeSpan.FromMilliseconds(250),
            BackoffType = DelayBackoffType.Constant,
            UseJitter = false,
        })
        .Build();

    private IndexWriter? TryOpenWriter(OpenMode mode, out string reason)
    {
        try
        {
            var writer = WriteLockWait.Execute(static state => new IndexWriter(state.Directory, new IndexWriterConfig(PolicyBotAnalyzer.Version, TextAnalyzer.Default.Stemming)
            {
                OpenMode = state.Mode,
                Similarity = IndexFields.IndexSimilarity,
                RAMBufferSizeMB = 64,
            }), (Directory: _directory, Mode: mode));
            reason = "";
            return writer;
        }
        catch (LockObtainFailedException ex)
        {
            reason = $"another process is writing the index at {Path} ({ex.Message}); answering from its last commit";
            LogLocked(_logger, Path, ex);
            return null;
        }
    }

    /// <summary>
    /// File-system clocks are coarse (Linux stamps writes from a clock that ticks every few milliseconds; some file
    /// systems keep seconds), so a write in the same tick as the sync that read the file, or one that keeps size
    /// and time (a same-length fix), leaves size and time unchanged. As git does for its index ("racy git"), a
    /// file whose time is not clearly older than the moment its content was read is re-read and its hash compared.
    /// </summary>
    private static readonly long RacyWindowTicks = TimeSpan.FromSeconds(2).Ticks;

    private static bool IsRacy(long mtimeTicks, long checkedTicks) => mtimeTicks + RacyWindowTicks >= checkedTicks;

    /// <summary>True when there is no commit yet or the last commit was written with today's analysis and layout.</summary>
    private bool SchemaMatches()
    {
        if (!HasCommit)
        {
            return true;
        }

        using var reader = DirectoryReader.Open(_directory);
        return reader.IndexCommit.UserData.TryGetValue(IndexFields.SchemaKey, out var schema) && schema == IndexFields.SchemaVersion;
    }

    private Dictionary<string, StoredRecord> ReadRecords()
    {
        var records = new Dictionary<string, StoredRecord>(StringComparer.Ordinal);
        if (!HasCommit)
        {
            return records;
        }

        using var reader = DirectoryReader.Open(_directory);
        foreach (var record in IndexRecords.Read(reader))
        {
            records[record.FullPath] = record;
        }

        return records;
    }

    private static (int Documents, int Passages, string BuildId) Summary(IEnumerable<StoredRecord> records)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var docs = 0;
        var passages = 0;
        foreach (var r in records.OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Hash, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(r.Path + "\0" + r.Hash + "\n"));
            docs++;
            passages += r.PassageCount;
        }

        return (docs, passages, Convert.ToHexStringLower(sha.GetHashAndReset())[..12]);
    }

    private static StoredRecord Add(IndexWriter writer, SourceDocument doc, CorpusFile file, string now, long checkedTicks)
    {
        var m = doc.Metadata;
        var authors = Json(m.Authors);
        var jurisdictions = Json(m.Jurisdictions);
        var topics = Json(m.Topics);
        var mainSource = m.MainSource is null ? null : JsonSerializer.Serialize(m.MainSource, SearchJsonContext.Default.SourceReference);
        var batch = new List<Document>(doc.Passages.Count + 1);
        foreach (var passage in doc.Passages)
        {
            var text = doc.Text.Substring(passage.Start, passage.Length);
            var d = new Document
            {
                new StringField(IndexFields.File, doc.FullPath, Field.Store.NO),
                new Field(IndexFields.Title, m.Title, IndexFields.Short),
                new Field(IndexFields.Section, passage.Section, IndexFields.Short),
                new Field(IndexFields.Body, text, IndexFields.BodyType),
                new Field(IndexFields.All, m.Title + "\n" + passage.Section + "\n" + text, IndexFields.AllType),
                new StoredField(IndexFields.Path, doc.Path),
                new StoredField(IndexFields.TitleText, m.Title),
                new StoredField(IndexFields.SectionText, passage.Section),
                new StoredField(IndexFields.Text, text),
                new StoredField(IndexFields.Ordinal, passage.Ordinal),
                new StoredField(IndexFields.Start, passage.Start),
                new StoredField(IndexFields.Length, passage.Length),
                new StoredField(IndexFields.Source, m.Source),
                new StoredField(IndexFields.Authors, authors),
                new StoredField(IndexFields.Kind, m.Kind),
                new StoredField(IndexFields.Jurisdictions, jurisdictions),
                new StoredField(IndexFields.Topics, topics),
            };
            if (m.Published is not null)
            {
                d.Add(new StoredField(IndexFields.Published, m.Published));
            }

            if (mainSource is not null)
            {
                d.Add(new StoredField(IndexFields.MainSource, mainSource));
            }

            batch.Add(d);
        }

        var info = new StoredRecord(doc.FullPath, doc.Path, doc.ContentHash, file.Size, file.ModifiedTicks, doc.Passages.Count, m, now, checkedTicks);
        batch.Add(RecordDocument(info));
        writer.AddDocuments(batch);
        return info;
    }

    private static Document RecordDocument(StoredRecord r)
    {
        return
        [
            new StringField(IndexFields.File, r.FullPath, Field.Store.NO),
            new StringField(IndexFields.Record, r.FullPath, Field.Store.NO),
            // The whole record, main source included (the catalog and watch notices name the outlet without reading a passage).
            new BinaryDocValuesField(IndexFields.RecordData, new Lucene.Net.Util.BytesRef(IndexRecords.Encode(r))),
        ];
    }

    private static string Json(IReadOnlyList<string> values) => JsonSerializer.Serialize(values, SearchJsonContext.Default.IReadOnlyListString);

    public void Dispose() => _directory.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Index synced: {Added} added, {Updated} updated, {Removed} removed, {Skipped} skipped in {ElapsedMs:F0} ms")]
    private static partial void LogSynced(ILogger logger, int added, int updated, int removed, int skipped, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The index at {IndexPath} is locked by another writer; serving its last commit")]
    private static partial void LogLocked(ILogger logger, string indexPath, Exception exception);
}
