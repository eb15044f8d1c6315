using System.Collections.Concurrent;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Testing.Answering;

/// <summary>
/// A decorator around the real engine (never a replacement for it): records each question the adapter passed on
/// (after mention stripping, with its thread context) and what the engine answered. The answer always comes from
/// the wrapped <see cref="IQuestionAnswerer"/>.
/// </summary>
public sealed class RecordingAnswerer(IQuestionAnswerer inner) : IQuestionAnswerer
{
    private int _calls;

    /// <summary>Calls started (counted on entry, before any delay further in).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<Question> Questions { get; } = new();

    /// <summary>The answers the engine gave, in order.</summary>
    public ConcurrentQueue<Answer> Answers { get; } = new();

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Questions.Enqueue(question);
        var answer = await inner.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
        Answers.Enqueue(answer);
        return answer;
    }
}

/// <summary>
/// Holds the real engine's answer back for the timing scenarios (acknowledgement, deferral, typing, queues, the
/// 15-minute edit window): waits <see cref="Delay"/> on the test clock and/or for <see cref="Gate"/>, then answers
/// for real. Off by default.
/// </summary>
public sealed class DelayingAnswerer(IQuestionAnswerer inner, TimeProvider time) : IQuestionAnswerer
{
    private long _delayTicks;
    private volatile TaskCompletionSource? _gate;

    /// <summary>Time (on the test clock) to wait before asking the engine.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>When set, asking the engine waits for it.</summary>
    public TaskCompletionSource? Gate
    {
        get => _gate;
        set => _gate = value;
    }

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        var delay = Delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }

        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await inner.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
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
