using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Corpus;

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

    public bool Changed => Added.Count + Updated.Count + Removed.Count > 0;
}

/// <summary>
/// The SQLite file that holds the corpus index: documents, passages (offsets into the document text) and an
/// FTS5 table over the analysed title, section and body of each passage. Writes are incremental by content
/// hash and happen in one transaction, so a failed sync leaves the previous index intact.
/// </summary>
public sealed partial class IndexStore
{
    public const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly ILogger _logger;

    static IndexStore() => SQLitePCL.Batteries_V2.Init();

    public IndexStore(string path, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    internal SqliteConnection Open()
    {
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var c = new SqliteConnection(_connectionString);
        c.Open();
        using var pragma = c.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        pragma.ExecuteNonQuery();
        return c;
    }

    /// <summary>Creates the schema when missing; a file of another schema version is rebuilt from scratch.</summary>
    public void EnsureSchema()
    {
        using var c = Open();
        var version = ReadMeta(c, "schema_version");
        if (version is not null && version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            Execute(c, """
                DROP TABLE IF EXISTS passages_fts;
                DROP TABLE IF EXISTS passages;
                DROP TABLE IF EXISTS documents;
                DROP TABLE IF EXISTS meta;
                """);
        }

        Execute(c, """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS documents(
                id INTEGER PRIMARY KEY,
                full_path TEXT NOT NULL UNIQUE,
                path TEXT NOT NULL,
                hash TEXT NOT NULL,
                size INTEGER NOT NULL,
                mtime INTEGER NOT NULL,
                title TEXT NOT NULL,
                source TEXT NOT NULL,
                authors TEXT NOT NULL,
                published TEXT,
                kind TEXT NOT NULL,
                jurisdictions TEXT NOT NULL,
                topics TEXT NOT NULL,
                text TEXT NOT NULL,
                indexed_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS passages(
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                section TEXT NOT NULL,
                start INTEGER NOT NULL,
                length INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(title, section, body, tokenize = 'unicode61 remove_diacritics 0', detail = full);
            """);
        WriteMeta(c, null, "schema_version", SchemaVersion.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Brings the index in line with the corpus folders; one transaction.</summary>
    public IndexReport Sync(IReadOnlyList<string> corpusDirectories, long maxBytes, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        EnsureSchema();
        var (files, skipped) = CorpusScanner.Scan(corpusDirectories);
        using var c = Open();
        var existing = new Dictionary<string, (long Id, string Hash, long Size, long Mtime, string Path)>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, full_path, hash, size, mtime, path FROM documents";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                existing[r.GetString(1)] = (r.GetInt64(0), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetString(5));
            }
        }

        var added = new List<string>();
        var updated = new List<string>();
        var removed = new List<string>();
        var unchanged = 0;
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        using var tx = c.BeginTransaction();
        using var writer = new DocumentWriter(c, tx);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            present.Add(file.FullPath);
            var had = existing.TryGetValue(file.FullPath, out var old);
            if (had && old.Size == file.Size && old.Mtime == file.ModifiedTicks && old.Path == file.RelativePath)
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

            if (had && old.Hash == doc.ContentHash && old.Path == doc.Path)
            {
                using var touch = c.CreateCommand();
                touch.Transaction = tx;
                touch.CommandText = "UPDATE documents SET size = $size, mtime = $mtime WHERE id = $id";
                touch.Parameters.AddWithValue("$size", file.Size);
                touch.Parameters.AddWithValue("$mtime", file.ModifiedTicks);
                touch.Parameters.AddWithValue("$id", old.Id);
                touch.ExecuteNonQuery();
                unchanged++;
                continue;
            }

            if (had)
            {
                DeleteDocument(c, tx, old.Id);
                updated.Add(doc.Path);
            }
            else
            {
                added.Add(doc.Path);
            }

            writer.Insert(doc, file, now);
        }

        foreach (var (fullPath, old) in existing)
        {
            if (!present.Contains(fullPath))
            {
                DeleteDocument(c, tx, old.Id);
                removed.Add(old.Path);
            }
        }

        var (docs, passages, buildId) = ComputeBuildId(c, tx);
        var changed = added.Count + updated.Count + removed.Count > 0;
        if (changed || ReadMeta(c, "build_id") is null)
        {
            WriteMeta(c, tx, "build_id", buildId);
            WriteMeta(c, tx, "built_at", now);
        }

        tx.Commit();
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

    /// <summary>Indexes documents given directly (evaluation collections); replaces everything in the index.</summary>
    public int ReplaceAll(IEnumerable<SourceDocument> documents, CancellationToken cancellationToken)
    {
        EnsureSchema();
        using var c = Open();
        using var tx = c.BeginTransaction();
        Execute(c, "DELETE FROM passages_fts; DELETE FROM passages; DELETE FROM documents;", tx);
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var count = 0;
        using var writer = new DocumentWriter(c, tx);
        foreach (var doc in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.Insert(doc, new CorpusFile(doc.FullPath, doc.Path, doc.Text.Length, 0), now);
            count++;
        }

        var (_, _, buildId) = ComputeBuildId(c, tx);
        WriteMeta(c, tx, "build_id", buildId);
        WriteMeta(c, tx, "built_at", now);
        tx.Commit();
        return count;
    }

    /// <summary>Inserts documents with statements prepared once per transaction (a sync writes thousands of rows).</summary>
    private sealed class DocumentWriter : IDisposable
    {
        private readonly SqliteCommand _document;
        private readonly SqliteCommand _passage;
        private readonly SqliteCommand _fts;

        public DocumentWriter(SqliteConnection c, SqliteTransaction tx)
        {
            _document = c.CreateCommand();
            _document.Transaction = tx;
            _document.CommandText = """
                INSERT INTO documents(full_path, path, hash, size, mtime, title, source, authors, published, kind, jurisdictions, topics, text, indexed_at)
                VALUES ($full_path, $path, $hash, $size, $mtime, $title, $source, $authors, $published, $kind, $jurisdictions, $topics, $text, $indexed_at)
                RETURNING id
                """;
            foreach (var name in new[] { "$full_path", "$path", "$hash", "$title", "$source", "$authors", "$kind", "$jurisdictions", "$topics", "$text", "$indexed_at" })
            {
                _document.Parameters.Add(name, SqliteType.Text);
            }

            _document.Parameters.Add("$size", SqliteType.Integer);
            _document.Parameters.Add("$mtime", SqliteType.Integer);
            _document.Parameters.Add("$published", SqliteType.Text);

            _passage = c.CreateCommand();
            _passage.Transaction = tx;
            _passage.CommandText = "INSERT INTO passages(document_id, ordinal, section, start, length) VALUES ($doc, $ordinal, $section, $start, $length) RETURNING id";
            _passage.Parameters.Add("$doc", SqliteType.Integer);
            _passage.Parameters.Add("$ordinal", SqliteType.Integer);
            _passage.Parameters.Add("$section", SqliteType.Text);
            _passage.Parameters.Add("$start", SqliteType.Integer);
            _passage.Parameters.Add("$length", SqliteType.Integer);

            _fts = c.CreateCommand();
            _fts.Transaction = tx;
            _fts.CommandText = "INSERT INTO passages_fts(rowid, title, section, body) VALUES ($id, $title, $section, $body)";
            _fts.Parameters.Add("$id", SqliteType.Integer);
            _fts.Parameters.Add("$title", SqliteType.Text);
            _fts.Parameters.Add("$section", SqliteType.Text);
            _fts.Parameters.Add("$body", SqliteType.Text);
        }

        public void Insert(SourceDocument doc, CorpusFile file, string now)
        {
            var m = doc.Metadata;
            var p = _document.Parameters;
            p["$full_path"].Value = doc.FullPath;
            p["$path"].Value = doc.Path;
            p["$hash"].Value = doc.ContentHash;
            p["$size"].Value = file.Size;
            p["$mtime"].Value = file.ModifiedTicks;
            p["$title"].Value = m.Title;
            p["$source"].Value = m.Source;
            p["$authors"].Value = JsonSerializer.Serialize(m.Authors, SearchJsonContext.Default.IReadOnlyListString);
            p["$published"].Value = (object?)m.Published ?? DBNull.Value;
            p["$kind"].Value = m.Kind;
            p["$jurisdictions"].Value = JsonSerializer.Serialize(m.Jurisdictions, SearchJsonContext.Default.IReadOnlyListString);
            p["$topics"].Value = JsonSerializer.Serialize(m.Topics, SearchJsonContext.Default.IReadOnlyListString);
            p["$text"].Value = doc.Text;
            p["$indexed_at"].Value = now;
            var docId = (long)_document.ExecuteScalar()!;

            var analyzer = TextAnalyzer.Default;
            var titleTerms = Terms(analyzer, m.Title);
            var sectionCache = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var passage in doc.Passages)
            {
                _passage.Parameters["$doc"].Value = docId;
                _passage.Parameters["$ordinal"].Value = passage.Ordinal;
                _passage.Parameters["$section"].Value = passage.Section;
                _passage.Parameters["$start"].Value = passage.Start;
                _passage.Parameters["$length"].Value = passage.Length;
                var passageId = (long)_passage.ExecuteScalar()!;
                if (!sectionCache.TryGetValue(passage.Section, out var sectionTerms))
                {
                    sectionTerms = Terms(analyzer, passage.Section);
                    sectionCache[passage.Section] = sectionTerms;
                }

                _fts.Parameters["$id"].Value = passageId;
                _fts.Parameters["$title"].Value = titleTerms;
                _fts.Parameters["$section"].Value = sectionTerms;
                _fts.Parameters["$body"].Value = Terms(analyzer, doc.Text.Substring(passage.Start, passage.Length));
                _fts.ExecuteNonQuery();
            }
        }

        public void Dispose()
        {
            _document.Dispose();
            _passage.Dispose();
            _fts.Dispose();
        }
    }

    /// <summary>The analysed terms of a text, space-separated: what the FTS5 columns hold.</summary>
    internal static string Terms(TextAnalyzer analyzer, string text)
    {
        var tokens = analyzer.Analyze(text);
        var sb = new StringBuilder(text.Length);
        foreach (var t in tokens)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(t.Term);
        }

        return sb.ToString();
    }

    private static void DeleteDocument(SqliteConnection c, SqliteTransaction tx, long documentId)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE document_id = $id);
            DELETE FROM passages WHERE document_id = $id;
            DELETE FROM documents WHERE id = $id;
            """;
        cmd.Parameters.AddWithValue("$id", documentId);
        cmd.ExecuteNonQuery();
    }

    private static (int Documents, int Passages, string BuildId) ComputeBuildId(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT path, hash, (SELECT count(*) FROM passages p WHERE p.document_id = d.id) FROM documents d ORDER BY path, hash";
        using var r = cmd.ExecuteReader();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var docs = 0;
        var passages = 0;
        while (r.Read())
        {
            sha.AppendData(Encoding.UTF8.GetBytes(r.GetString(0) + "\0" + r.GetString(1) + "\n"));
            docs++;
            passages += r.GetInt32(2);
        }

        return (docs, passages, Convert.ToHexStringLower(sha.GetHashAndReset())[..12]);
    }

    internal static string? ReadMeta(SqliteConnection c, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $key";
        cmd.Parameters.AddWithValue("$key", key);
        try
        {
            return cmd.ExecuteScalar() as string;
        }
        catch (SqliteException)
        {
            return null; // no meta table yet
        }
    }

    private static void WriteMeta(SqliteConnection c, SqliteTransaction? tx, string key, string value)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO meta(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        cmd.Parameters.AddWithValue("$key", key);
        cmd.Parameters.AddWithValue("$value", value);
        cmd.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Index synced: {Added} added, {Updated} updated, {Removed} removed, {Skipped} skipped in {ElapsedMs:F0} ms")]
    private static partial void LogSynced(ILogger logger, int added, int updated, int removed, int skipped, double elapsedMs);
}
