using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// What the Discord handlers remember between turns — the citations behind each Sources button and, per thread the
/// bot opened, the last question asked there — kept in the state store (bounded, expiring) so both survive a
/// restart and, on PostgreSQL, are shared by every replica. A small in-process copy answers the receive loop's
/// "is this channel one of our threads?" without I/O; a store failure degrades to that copy, never to a failed turn.
/// </summary>
internal sealed partial class DiscordMemory(IExpiringCache store, TimeProvider time, ILogger logger)
{
    /// <summary>Sources buttons stay usable for a week on up to 5,000 answers.</summary>
    public static readonly CacheScope SourcesScope = new("discord.sources", 5_000, TimeSpan.FromDays(7));

    /// <summary>Follow-ups in a bot thread keep their context for a week, on up to 10,000 threads.</summary>
    public static readonly CacheScope ThreadsScope = new("discord.threads", 10_000, TimeSpan.FromDays(7));

    /// <summary>How long a channel found not to be a bot thread is not looked up again.</summary>
    private static readonly TimeSpan NotAThreadMemory = TimeSpan.FromMinutes(10);

    private readonly BoundedRecentMap<IReadOnlyList<Citation>> _sources = new(SourcesScope.Capacity);
    private readonly BoundedRecentMap<string> _threads = new(ThreadsScope.Capacity);
    private readonly BoundedRecentMap<DateTimeOffset> _notThreads = new(20_000);

    /// <summary>Receive-loop check (no I/O): the channel is a bot thread known to this process.</summary>
    public bool IsKnownThread(string channelId) => _threads.TryGet(channelId, out _);

    /// <summary>Whether a store look-up could still find <paramref name="channelId"/> to be a bot thread (no I/O).</summary>
    public bool MightBeThread(string channelId)
        => !_threads.TryGet(channelId, out _) && !(_notThreads.TryGet(channelId, out var until) && until > time.GetUtcNow());

    /// <summary>The last question asked in the bot thread <paramref name="channelId"/>, or null when it is not one.</summary>
    public async Task<string?> ThreadQuestionAsync(string channelId, CancellationToken cancellationToken)
    {
        if (_threads.TryGet(channelId, out var question))
        {
            return question;
        }

        var stored = await TryAsync(() => store.GetAsync(ThreadsScope, channelId, time.GetUtcNow(), cancellationToken), cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            _notThreads.Set(channelId, time.GetUtcNow() + NotAThreadMemory);
            return null;
        }

        _threads.Set(channelId, stored);
        return stored;
    }

    public async Task RememberThreadAsync(string channelId, string question, CancellationToken cancellationToken)
    {
        _threads.Set(channelId, question);
        _notThreads.Remove(channelId);
        await TryAsync(() => Done(store.SetAsync(ThreadsScope, channelId, question, time.GetUtcNow(), cancellationToken)), cancellationToken).ConfigureAwait(false);
    }

    public async Task ForgetThreadAsync(string channelId, CancellationToken cancellationToken)
    {
        _threads.Remove(channelId);
        await TryAsync(() => Done(store.RemoveAsync(ThreadsScope, channelId, cancellationToken)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps the citations a Sources button shows (none kept for an answer without citations).</summary>
    public async Task RememberSourcesAsync(Answer answer, int keep, CancellationToken cancellationToken)
    {
        if (answer.Citations.Count == 0)
        {
            return;
        }

        var citations = answer.Citations.Take(keep).ToArray();
        _sources.Set(answer.Id, citations);
        var json = JsonSerializer.Serialize(citations, MemoryJson.Default.CitationArray);
        if (json.Length <= CacheScope.MaxValueLength)
        {
            await TryAsync(() => Done(store.SetAsync(SourcesScope, answer.Id, json, time.GetUtcNow(), cancellationToken)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The citations behind the Sources button of answer <paramref name="answerId"/> (empty when forgotten).</summary>
    public async Task<IReadOnlyList<Citation>> SourcesAsync(string answerId, CancellationToken cancellationToken)
    {
        if (answerId.Length == 0 || answerId.Length > StateKey.MaxLength)
        {
            return [];
        }

        if (_sources.TryGet(answerId, out var cached))
        {
            return cached;
        }

        var json = await TryAsync(() => store.GetAsync(SourcesScope, answerId, time.GetUtcNow(), cancellationToken), cancellationToken).ConfigureAwait(false);
        if (json is null)
        {
            return [];
        }

        try
        {
            var citations = JsonSerializer.Deserialize(json, MemoryJson.Default.CitationArray) ?? [];
            _sources.Set(answerId, citations);
            return citations;
        }
        catch (JsonException ex)
        {
            Log.StoredValueUnreadable(logger, SourcesScope.Name, ex);
            return [];
        }
    }

    private static async Task<string?> Done(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private async Task<string?> TryAsync(Func<Task<string?>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The state store is down or refused the value: the in-process copy carries on.
            Log.StoreUnavailable(logger, ex);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(220, LogLevel.Warning, "State store unavailable for the Discord memory; using the in-process copy")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(221, LogLevel.Warning, "A stored {Scope} value could not be read; ignoring it")]
        public static partial void StoredValueUnreadable(ILogger logger, string scope, Exception exception);
    }
}

[JsonSerializable(typeof(Citation[]))]
internal sealed partial class MemoryJson : JsonSerializerContext;
