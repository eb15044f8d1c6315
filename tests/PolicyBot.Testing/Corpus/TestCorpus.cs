using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Core.Conversation;
using PolicyBot.Search;

namespace PolicyBot.Testing.Corpus;

/// <summary>
/// The one corpus fixture of every test project: a real Markdown corpus in a fresh temp folder, indexed by the real
/// <see cref="PolicyBotEngine"/> into a real index file. An instance is a folder a test owns (seeded with a
/// <see cref="CorpusSet"/> or empty, then written to, touched, rebuilt); <see cref="SharedAsync"/> is one read-only
/// engine per set for the whole test process (safe to share once open), removed when the process exits.
/// </summary>
public sealed class TestCorpus : IDisposable, IAsyncDisposable
{
    private static readonly ConcurrentDictionary<CorpusSet, Lazy<Task<PolicyBotEngine>>> Shared = new();

    /// <summary>
    /// Where the shared engines and the harnesses' state files live: under /dev/shm when the machine has it (real
    /// SQLite files, but fsync on a RAM disk costs nothing, so a hundred harnesses creating their stores do not slow
    /// the timing scenarios running beside them), otherwise the temp folder.
    /// </summary>
    public static string SharedRoot { get; } = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "policybot-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>A fresh temp folder with an empty corpus folder, or one seeded with <paramref name="documents"/>.</summary>
    public TestCorpus(CorpusSet? documents = null)
        : this(Path.Combine(Path.GetTempPath(), "policybot-tests", Guid.NewGuid().ToString("N")), documents)
    {
    }

    private TestCorpus(string root, CorpusSet? documents)
    {
        Root = root;
        CorpusDir = Path.Combine(Root, "corpus");
        Directory.CreateDirectory(CorpusDir);
        IndexPath = Path.Combine(Root, "index");
        foreach (var (name, text) in documents?.Documents ?? new Dictionary<string, string>())
        {
            Write(name, text);
        }
    }

    public string Root { get; }

    public string CorpusDir { get; }

    /// <summary>The index location the engine builds (the state store defaults to a file beside it).</summary>
    public string IndexPath { get; }

    /// <summary>The shared engine over <paramref name="set"/>, indexed once per test process.</summary>
    public static Task<PolicyBotEngine> SharedAsync(CorpusSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Shared.GetOrAdd(set, s => new Lazy<Task<PolicyBotEngine>>(() => OpenSharedAsync(s), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>What the shared engine over <paramref name="set"/> answers (for expected values; answer ids differ per call).</summary>
    public static async Task<Answer> AnswerAsync(CorpusSet set, string question, string platform)
        => (await SharedAsync(set)).Answer(new Question(question, new QuestionContext(platform)));

    /// <summary>A new, not yet existing file path under <see cref="SharedRoot"/> (for a harness's SQLite state store).</summary>
    public static string NewStateFile()
    {
        Directory.CreateDirectory(SharedRoot);
        return Path.Combine(SharedRoot, "state-" + Guid.NewGuid().ToString("N") + ".db");
    }

    /// <summary>A Markdown document with front matter (title, source, a date, a jurisdiction, a topic) and one section per pair.</summary>
    public static string Document(string title, string source, params (string Heading, string Body)[] sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var sb = new StringBuilder();
        sb.Append("---\n").Append(CultureInfo.InvariantCulture, $"title: \"{title}\"\n").Append(CultureInfo.InvariantCulture, $"source: \"{source}\"\n")
            .Append("published: 2025-01-01\njurisdictions: [\"XX\"]\ntopics: [\"widgets\"]\n---\n\n");
        sb.Append("# ").Append(title).Append("\n\n");
        foreach (var (heading, body) in sections)
        {
            sb.Append("## ").Append(heading).Append("\n\n").Append(body).Append("\n\n");
        }

        return sb.ToString();
    }

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(CorpusDir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public string WriteBytes(string relativePath, byte[] content)
    {
        var path = Path.Combine(CorpusDir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Makes a later write visible to the size+mtime check even on coarse file-system clocks.</summary>
    public void Touch(string relativePath, int secondsAhead = 5) =>
        File.SetLastWriteTimeUtc(Path.Combine(CorpusDir, relativePath), DateTime.UtcNow.AddSeconds(secondsAhead));

    public PolicyBotOptions Options()
    {
        var o = new PolicyBotOptions { IndexPath = IndexPath };
        o.CorpusDirectories.Add(CorpusDir);
        return o;
    }

    public Task<PolicyBotEngine> OpenAsync() => PolicyBotEngine.OpenAsync(Options(), NullLoggerFactory.Instance, CancellationToken.None);

    public void Dispose() => TryDelete(Root);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void TryDelete(string root)
    {
        try
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held by a finishing background task; a temp folder left behind is harmless.
        }
    }

    private static async Task<PolicyBotEngine> OpenSharedAsync(CorpusSet set)
    {
        var corpus = new TestCorpus(Path.Combine(SharedRoot, set.Name), set);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(SharedRoot);
        var engine = await corpus.OpenAsync().ConfigureAwait(false);
        if (engine.Documents.Count != set.DocumentCount)
        {
            throw new InvalidOperationException($"test corpus {set} indexed {engine.Documents.Count} documents, expected {set.DocumentCount}");
        }

        return engine;
    }
}
