using System.Collections.Concurrent;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Discord.Tests.Fakes;

/// <summary>
/// A decorator around the real engine (never a replacement for it): records each question the adapter passed on,
/// so tests can check mention stripping and thread context, and can hold an answer back — a virtual-time delay or
/// a gate — for the timing scenarios (deferral, typing, the 15-minute edit window). The answer itself always comes
/// from the wrapped <see cref="IQuestionAnswerer"/>.
/// </summary>
public sealed class RecordingAnswerer(IQuestionAnswerer inner, TimeProvider time) : IQuestionAnswerer
{
    public ConcurrentQueue<Question> Questions { get; } = new();

    /// <summary>The answers the engine gave, in order.</summary>
    public ConcurrentQueue<Answer> Answers { get; } = new();

    /// <summary>Virtual time to wait before asking the engine.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, asking the engine waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

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

        var answer = await inner.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
        Answers.Enqueue(answer);
        return answer;
    }
}
