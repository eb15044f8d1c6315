using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State;
using PolicyBot.State.Sqlite;
using PolicyBot.Search;

namespace PolicyBot.Teams.Tests.Fakes;

/// <summary>
/// The one corpus fixture helper: copies the Markdown documents under <c>Corpus/</c> (three small documents, see
/// there) to a temp folder and opens the real <see cref="PolicyBotEngine"/> over them with a real SQLite index file.
/// The questions below are known to retrieve what each scenario needs from that corpus.
/// </summary>
public static class TestCorpus
{
    /// <summary>Answered from the EU AI Act (URL source) first and NIST AI RMF (non-URL source) second: exactly [1] and [2].</summary>
    public const string TwoSourcesQuestion = "What must providers of high-risk AI systems establish, implement, document and maintain, and what does the Govern function cultivate?";

    /// <summary>Answered with cited EU AI Act passages.</summary>
    public const string HighRiskQuestion = "what is a high-risk AI system?";

    /// <summary>Answered with three very long verbatim sentences (about 2,600 characters) from the technical documentation guide.</summary>
    public const string LongAnswerQuestion = "What must the technical documentation dossier contain?";

    public const int DocumentCount = 3;

    private static readonly Lazy<Task<Opened>> SharedCorpus = new(() => OpenAsync("shared"));

    /// <summary>A process-wide engine over the test corpus (read-only after opening; safe to share between tests).</summary>
    public static async Task<PolicyBotEngine> SharedAsync() => (await SharedCorpus.Value).Engine;

    /// <summary>Writes the corpus to a new temp folder and indexes it into a SQLite file there.</summary>
    public static async Task<Opened> OpenAsync(string label)
    {
        var root = Path.Combine(Path.GetTempPath(), $"policybot-teams-{label}-{Guid.NewGuid():N}");
        var corpus = Path.Combine(root, "corpus");
        Directory.CreateDirectory(corpus);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*.md"))
        {
            await File.WriteAllTextAsync(Path.Combine(corpus, Path.GetFileName(file)), await File.ReadAllTextAsync(file));
        }

        var options = new PolicyBotOptions { IndexPath = Path.Combine(root, "index.db") };
        options.CorpusDirectories.Add(corpus);
        var engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
        if (engine.Documents.Count != DocumentCount)
        {
            throw new InvalidOperationException($"test corpus indexed {engine.Documents.Count} documents, expected {DocumentCount}");
        }

        if (label == "shared")
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        }

        return new Opened(root, engine);
    }

    internal static void TryDelete(string root)
    {
        try
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    public sealed class Opened(string root, PolicyBotEngine engine) : IAsyncDisposable
    {
        public string Root { get; } = root;

        public PolicyBotEngine Engine { get; } = engine;

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync();
            TryDelete(Root);
        }
    }
}

/// <summary>Records what the adapter passed to the core (after mention stripping) and what the real core answered.</summary>
public sealed class RecordingAnswerer(IQuestionAnswerer inner) : IQuestionAnswerer
{
    private int _calls;

    /// <summary>Calls started (counted on entry, before any delay further in).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<Question> Questions { get; } = new();

    public ConcurrentQueue<Answer> Answers { get; } = new();

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Questions.Enqueue(question);
        var answer = await inner.AnswerAsync(question, cancellationToken);
        Answers.Enqueue(answer);
        return answer;
    }
}

/// <summary>Makes the real core slow (for acknowledgement, typing and queue scenarios): waits on the test clock, then answers for real.</summary>
public sealed class DelayingAnswerer(IQuestionAnswerer inner, TimeProvider time) : IQuestionAnswerer
{
    private long _delayTicks;

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        var delay = Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken);
        }

        return await inner.AnswerAsync(question, cancellationToken);
    }
}

/// <summary>
/// Fault injection: the real engine never throws on input, so the apology path (an unexpected failure further in)
/// can only be reached by making the call fail on purpose. Off by default; the real engine answers otherwise.
/// </summary>
public sealed class FaultInjectingAnswerer(IQuestionAnswerer inner) : IQuestionAnswerer
{
    public const string Message = "answer engine exploded (fault injected by the test)";

    private volatile bool _fail;

    public bool Fail
    {
        get => _fail;
        set => _fail = value;
    }

    public Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken) =>
        _fail ? Task.FromException<Answer>(new InvalidOperationException(Message)) : inner.AnswerAsync(question, cancellationToken);
}

/// <summary>The real SQLite bot store on a temp file as the feedback sink; <see cref="ReadAsync"/> reads back what it stored.</summary>
public sealed class FeedbackStore : IAsyncDisposable
{
    private readonly string _root;

    private FeedbackStore(string root, SqliteBotStore store)
    {
        _root = root;
        Store = store;
    }

    public SqliteBotStore Store { get; }

    public static async Task<FeedbackStore> CreateAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "policybot-teams-state-" + Guid.NewGuid().ToString("N"));
        var store = BotStoreFactory.CreateSqlite(Path.Combine(root, "index.db"), feedbackUserHasher: null, loggerFactory: null);
        await store.MigrateAsync(CancellationToken.None);
        return new FeedbackStore(root, store);
    }

    /// <summary>The rows of the store's feedback table, in insertion order, read straight from the SQLite file.</summary>
    public async Task<IReadOnlyList<Feedback>> ReadAsync()
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = Store.FilePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT answer_id, platform, user_id, reaction, comment, at_us FROM feedback ORDER BY rowid;";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Feedback>();
        while (await reader.ReadAsync())
        {
            rows.Add(new Feedback(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                Enum.Parse<FeedbackReaction>(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(5) * 10)));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        TestCorpus.TryDelete(_root);
    }
}
