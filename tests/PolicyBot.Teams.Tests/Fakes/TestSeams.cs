using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Teams.Tests.Fakes;

/// <summary>A recording <see cref="IFeedbackSink"/> (a seam, not our core).</summary>
public sealed class RecordingFeedbackSink : IFeedbackSink
{
    public ConcurrentQueue<Feedback> Records { get; } = new();

    public Task RecordAsync(Feedback feedback, CancellationToken cancellationToken)
    {
        Records.Enqueue(feedback);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Stand-in answerer for the auth and Connector layer tests only (end-to-end tests use the real engine):
/// returns a fixed cited answer, counts calls, and can be slowed down or made to fail.
/// </summary>
public sealed class CannedAnswerer : IQuestionAnswerer, ICorpusCatalog
{
    private int _calls;

    public int Calls => _calls;

    public ConcurrentQueue<Question> Questions { get; } = new();

    public TimeSpan Delay { get; set; }

    public bool Fail { get; set; }

    public Func<Question, Answer>? Produce { get; set; }

    public IReadOnlyList<CorpusDocumentInfo> Documents { get; } =
    [
        new("eu-ai-act.md", "EU AI Act", "law", "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "2024-07-12", ["EU"], ["risk"], 3, DateTimeOffset.UnixEpoch),
    ];

    public string CorpusVersion => "test-corpus";

    public DateTimeOffset LastIndexed => DateTimeOffset.UnixEpoch;

    public IReadOnlyList<string> Suggest(string prefix, int limit) => [];

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Questions.Enqueue(question);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (Fail)
        {
            throw new InvalidOperationException("answer engine exploded");
        }

        return Produce?.Invoke(question) ?? Standard(question.Text);
    }

    public static Answer Standard(string question) => new()
    {
        Id = "ans-" + Guid.NewGuid().ToString("N"),
        Question = question,
        Outcome = AnswerOutcome.Answered,
        Text = "Providers of high-risk AI systems shall establish a risk management system. [1] Deployers shall monitor operation. [2]",
        Citations =
        [
            new Citation(1, "EU AI Act — Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence and amending certain acts", "Chapter III › Section 2 › Article 9 Risk management system", "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", new string('r', 400), 3.2, "eu-ai-act.md#1", "eu-ai-act.md"),
            new Citation(2, "NIST AI RMF", "Govern", "NIST AI 100-1, January 2023", "Deployers shall monitor operation.", 2.1, "nist.md#4", "nist.md"),
        ],
        CorpusVersion = "test-corpus",
    };
}

/// <summary>Captures every log line (message + exception text) so tests can grep for secrets.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
