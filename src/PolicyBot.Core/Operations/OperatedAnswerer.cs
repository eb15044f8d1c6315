using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Operations;

/// <summary>
/// The answer path as a running bot offers it to the adapters: refuses politely while shutting down, when a
/// user or channel exceeds its rate limit, or when the answer queue is full; bounds how many answers are
/// computed at once; never lets an exception escape; and records every question in the audit trail (the
/// user id salted-hashed) and in the metrics.
/// </summary>
public sealed partial class OperatedAnswerer : IQuestionAnswerer, IDisposable
{
    /// <summary>Longest question text kept in the audit trail (longer ones are refused anyway).</summary>
    public const int MaxAuditedQuestionChars = 4000;

    private readonly IQuestionAnswerer _inner;
    private readonly ICorpusCatalog _catalog;
    private readonly IBotStore? _store;
    private readonly IQuestionTerms _terms;
    private readonly UserIdHasher _hasher;
    private readonly IQuestionRateLimiter _limiter;
    private readonly OperationsOptions _options;
    private readonly PolicyBotMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private int _pending;
    private volatile bool _draining;

    public OperatedAnswerer(
        IQuestionAnswerer inner,
        ICorpusCatalog catalog,
        IBotStore? store,
        IQuestionTerms terms,
        UserIdHasher hasher,
        IQuestionRateLimiter limiter,
        OperationsOptions options,
        PolicyBotMetrics metrics,
        TimeProvider time,
        ILogger<OperatedAnswerer> logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _catalog = catalog;
        _store = store;
        _terms = terms;
        _hasher = hasher;
        _limiter = limiter;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrentAnswers, options.MaxConcurrentAnswers);
    }

    /// <summary>Questions being answered or waiting for a slot.</summary>
    public int InFlight => Volatile.Read(ref _pending);

    public bool IsDraining => _draining;

    /// <summary>Stops taking questions: from now on each is refused with "shutting down".</summary>
    public void BeginDrain() => _draining = true;

    /// <summary>Waits until no question is in flight, or <paramref name="timeout"/>; true when idle.</summary>
    public async Task<bool> WaitForIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (InFlight > 0)
        {
            if (_time.GetElapsedTime(start) >= timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        var started = _time.GetTimestamp();
        var at = _time.GetUtcNow();
        var pending = Interlocked.Increment(ref _pending);
        _metrics.InFlight(1);
        Answer answer;
        var slot = false;
        try
        {
            if (_draining)
            {
                answer = Refuse(question, "shutting down", "I'm restarting right now; please ask again in a minute.");
            }
            else if (pending > _options.MaxConcurrentAnswers + _options.QueueCapacity)
            {
                answer = Refuse(question, "busy", "I'm answering a lot of questions right now; please ask again in a moment.");
            }
            else if (await CheckRateAsync(question, cancellationToken).ConfigureAwait(false) is { } limited)
            {
                answer = limited;
            }
            else
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                slot = true;
                answer = await _inner.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The asker went away (the adapter cancelled): nothing to reply to.
            Interlocked.Decrement(ref _pending);
            _metrics.InFlight(-1);
            throw;
        }
        catch (Exception ex)
        {
            LogAnswerFailed(_logger, question.Context.Platform, ex);
            answer = Refuse(question, "internal error", "Something went wrong while answering that; it has been logged. Please try again.");
        }
        finally
        {
            if (slot)
            {
                _slots.Release();
            }
        }

        try
        {
            var elapsed = _time.GetElapsedTime(started);
            answer = answer with { Elapsed = elapsed };
            _metrics.Question(question.Context.Platform, answer.Outcome, elapsed);
            if (answer.Outcome == AnswerOutcome.Refused && answer.Reason is { } reason)
            {
                _metrics.Refused(reason);
            }

            await AuditAsync(question, answer, at, elapsed).ConfigureAwait(false);
            return answer;
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            _metrics.InFlight(-1);
        }
    }

    private async Task<Answer?> CheckRateAsync(Question question, CancellationToken cancellationToken)
    {
        var context = question.Context;
        if (context.UserId is { Length: > 0 } user
            && !await _limiter.TryTakeAsync($"u:{context.Platform}:{_hasher.Hash(user)}", _options.UserRate, cancellationToken).ConfigureAwait(false))
        {
            var wait = Math.Max(1, (int)Math.Ceiling(_options.UserRate.Per.TotalSeconds));
            return Refuse(question, "rate limited (user)", $"You're asking faster than I can keep up with; please wait about {wait} seconds and ask again.");
        }

        if (context.ChannelId is { Length: > 0 } channel
            && !await _limiter.TryTakeAsync($"c:{context.Platform}:{channel}", _options.ChannelRate, cancellationToken).ConfigureAwait(false))
        {
            return Refuse(question, "rate limited (channel)", "This channel is asking a lot of questions right now; please try again in a minute.");
        }

        return null;
    }

    private Answer Refuse(Question question, string reason, string text) => Refusals.Make(question, reason, text, _catalog.CorpusVersion);

    private async Task AuditAsync(Question question, Answer answer, DateTimeOffset at, TimeSpan elapsed)
    {
        if (_store is null)
        {
            return;
        }

        var context = question.Context;
        var text = TextCut.Clip(question.Text ?? "", MaxAuditedQuestionChars);
        var record = new AuditRecord
        {
            AnswerId = answer.Id,
            At = at,
            Platform = context.Platform,
            ServerId = context.ServerId,
            ChannelId = context.ChannelId,
            UserHash = _hasher.Hash(context.UserId),
            Question = text,
            Outcome = answer.Outcome,
            Reason = answer.Reason,
            CitedPassageIds = answer.Citations.Select(c => c.PassageId).ToList(),
            CorpusVersion = answer.CorpusVersion,
            LatencyMs = elapsed.TotalMilliseconds,
            AnswerText = answer.Text,
            SuggestedTopics = answer.SuggestedTopics,
            Confidence = answer.Confidence?.ToString(),
        };
        try
        {
            // The grouping key of the coverage-gaps page, computed once here rather than on every page view.
            // Refusals were never searched: they have none.
            record = answer.Outcome == AnswerOutcome.Refused ? record : record with { MainTerms = _terms.MainTerms(text) };

            // The audit write finishes even when the asker has gone: the question was asked.
            await _store.RecordQuestionAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // An audit failure must not cost the asker an answer; it is logged loudly instead.
            LogAuditFailed(_logger, answer.Id, ex);
        }
    }

    public void Dispose() => _slots.Dispose();

    [LoggerMessage(EventId = 6600, Level = LogLevel.Error, Message = "Answering a {Platform} question failed; replied with an apology")]
    private static partial void LogAnswerFailed(ILogger logger, string platform, Exception exception);

    [LoggerMessage(EventId = 6601, Level = LogLevel.Error, Message = "Could not record answer {AnswerId} in the audit trail")]
    private static partial void LogAuditFailed(ILogger logger, string answerId, Exception exception);
}
