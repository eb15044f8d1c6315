using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.Discord.Tests.Fakes;

/// <summary>In-memory <see cref="IServerSettingsStore"/> (a seam; the real stores are tested by the store issue).</summary>
public sealed class InMemoryServerSettingsStore : IServerSettingsStore
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _channels = new();

    public Task<IReadOnlyList<string>?> GetAnswerChannelsAsync(string platform, string serverId, CancellationToken cancellationToken)
        => Task.FromResult(_channels.TryGetValue(platform + "|" + serverId, out var list) ? list : null);

    public Task SetAnswerChannelsAsync(string platform, string serverId, IReadOnlyList<string>? channelIds, CancellationToken cancellationToken)
    {
        if (channelIds is null)
        {
            _channels.TryRemove(platform + "|" + serverId, out _);
        }
        else
        {
            _channels[platform + "|" + serverId] = channelIds.ToList();
        }

        return Task.CompletedTask;
    }
}

/// <summary>Collects feedback (a seam; persistence is the ops issue's).</summary>
public sealed class RecordingFeedbackSink : IFeedbackSink
{
    public ConcurrentQueue<Feedback> Items { get; } = new();

    public Task RecordAsync(Feedback feedback, CancellationToken cancellationToken)
    {
        Items.Enqueue(feedback);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A scripted answerer for protocol-level adapter tests, where the answer text must be controlled exactly
/// (4,500-character answers, mentions inside answers, oversized citations). End-to-end tests use the real engine.
/// </summary>
public sealed class ScriptedAnswerer(TimeProvider time) : IQuestionAnswerer, ICorpusCatalog
{
    private int _count;

    public ConcurrentQueue<Question> Questions { get; } = new();

    public Func<Question, Answer>? Script { get; set; }

    /// <summary>Virtual time each answer takes.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, answering waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public IReadOnlyList<CorpusDocumentInfo> Documents { get; set; } =
    [
        new("eu/ai-act.md", "EU AI Act", "law", "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "2024-07-12", ["EU"], ["high-risk"], 12, DateTimeOffset.Parse("2026-11-21T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
        new("us/eo-14110.md", "Executive Order 14110", "executive-order", "Federal Register 88 FR 75191", "2023-10-30", ["US"], ["safety"], 8, DateTimeOffset.Parse("2026-11-21T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public string CorpusVersion => "test-1";

    public DateTimeOffset LastIndexed => DateTimeOffset.Parse("2026-11-21T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Suggest(string prefix, int limit)
        => Documents.Select(d => d.Title).Concat(["High-risk AI systems", "General-purpose AI models"])
            .Where(t => t.Contains(prefix, StringComparison.OrdinalIgnoreCase)).Take(limit).ToList();

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        Questions.Enqueue(question);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, time, cancellationToken).ConfigureAwait(false);
        }

        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var n = Interlocked.Increment(ref _count);
        return Script?.Invoke(question) ?? new Answer
        {
            Id = "ans" + n,
            Question = question.Text,
            Outcome = AnswerOutcome.Answered,
            Text = "Providers of high-risk AI systems shall establish a risk management system. [1]",
            Citations = [new Citation(1, "EU AI Act", "Article 9", "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "A risk management system shall be established, implemented, documented and maintained in relation to high-risk AI systems.", 3.2, "eu/ai-act.md#9", "eu/ai-act.md")],
            CorpusVersion = "test-1",
        };
    }
}

/// <summary>Captures every log line (message and exception text) so tests can check what operators see and that secrets never appear.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    public string AllText => string.Join("\n", Entries.Select(e => e.Text));

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
    }
}
