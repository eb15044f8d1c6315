using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Protocol;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord;

/// <summary>
/// The Discord Q&amp;A experience: translates gateway dispatches into Core questions and answers back over REST.
/// Dispatch handling only parses, filters and dedupes on the receive loop; everything else runs on tracked tasks,
/// with answering bounded by <see cref="DiscordOptions.MaxConcurrentAnswers"/>.
/// </summary>
internal sealed partial class DiscordAdapter : IAsyncDisposable
{
    public const string Platform = "discord";
    private const ulong ManageGuild = 1UL << 5;
    private const ulong Administrator = 1UL << 3;
    private const int MaxPendingTurns = 2000;
    private static readonly TimeSpan TypingRefresh = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan TypingAfter = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan BlockedChannelMemory = TimeSpan.FromMinutes(30);

    private readonly DiscordRestClient _rest;
    private readonly IQuestionAnswerer _answerer;
    private readonly ICorpusCatalog _catalog;
    private readonly IFeedbackSink _feedback;
    private readonly IServerSettingsStore _settings;
    private readonly DiscordOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DiscordMetrics _metrics;
    private readonly SemaphoreSlim _answerSlots;
    private readonly RecentMap<bool> _seen = new(20_000);
    private readonly RecentMap<Answer> _answers = new(5_000);
    private readonly RecentMap<string> _botThreads = new(10_000);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedChannels = new();
    private readonly ConcurrentDictionary<long, Task> _inflight = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _nextTurnId;
    private string? _botUserId;
    private string? _applicationId;

    public DiscordAdapter(
        DiscordRestClient rest,
        IQuestionAnswerer answerer,
        ICorpusCatalog catalog,
        IFeedbackSink feedback,
        IServerSettingsStore settings,
        DiscordOptions options,
        TimeProvider time,
        ILogger logger,
        DiscordMetrics metrics)
    {
        _rest = rest;
        _answerer = answerer;
        _catalog = catalog;
        _feedback = feedback;
        _settings = settings;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _applicationId = options.ApplicationId;
        _answerSlots = new SemaphoreSlim(options.MaxConcurrentAnswers, options.MaxConcurrentAnswers);
    }

    /// <summary>Turns still running (answers being computed or sent).</summary>
    public int PendingTurns => _inflight.Count;

    /// <summary>Gateway dispatch handler: parses, filters, dedupes and hands the turn off. Never awaits I/O.</summary>
    public ValueTask HandleDispatchAsync(GatewayDispatch dispatch, CancellationToken cancellationToken)
    {
        switch (dispatch.Type)
        {
            case "READY":
                var ready = dispatch.Data.Deserialize<ReadyEvent>(DiscordJson.Options);
                _botUserId = ready?.User.Id ?? _botUserId;
                _applicationId ??= ready?.Application?.Id;
                break;
            case "MESSAGE_CREATE":
                var message = dispatch.Data.Deserialize<DiscordMessage>(DiscordJson.Options);
                if (message is not null && IsCandidate(message) && _seen.TryAdd("m" + message.Id, true))
                {
                    Track(() => HandleMessageAsync(message, _stopping.Token));
                }

                break;
            case "INTERACTION_CREATE":
                var interaction = dispatch.Data.Deserialize<Interaction>(DiscordJson.Options);
                if (interaction is not null && _seen.TryAdd("i" + interaction.Id, true))
                {
                    Track(() => HandleInteractionAsync(interaction, _stopping.Token));
                }

                break;
            case "THREAD_DELETE":
                if (dispatch.Data.TryGetProperty("id", out var threadId) && threadId.GetString() is { } id)
                {
                    _botThreads.Remove(id);
                }

                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for running turns to finish (up to <paramref name="timeout"/>), then cancels the rest.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var all = Task.WhenAll(_inflight.Values);
        await Task.WhenAny(all, Task.Delay(timeout, _time)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Turns cancelled at shutdown.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
        _answerSlots.Dispose();
    }

    private bool IsCandidate(DiscordMessage message)
    {
        if (message.Author is null || message.Author.Id == _botUserId || message.Author.Bot == true || message.Author.System == true || message.WebhookId is not null)
        {
            return false;
        }

        if (message.Type is not ((int)MessageType.Default or (int)MessageType.Reply))
        {
            return false;
        }

        if (message.GuildId is null)
        {
            return true; // a DM to the bot
        }

        var mentioned = _botUserId is not null && message.Mentions?.Any(u => u.Id == _botUserId) == true;
        return mentioned || _botThreads.TryGet(message.ChannelId, out _);
    }

    private void Track(Func<Task> turn)
    {
        if (_inflight.Count >= MaxPendingTurns)
        {
            Log.Overloaded(_logger, _inflight.Count);
            return;
        }

        var id = Interlocked.Increment(ref _nextTurnId);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            await registered.Task.ConfigureAwait(false);
            try
            {
                await turn().ConfigureAwait(false);
            }
            finally
            {
                _inflight.TryRemove(id, out _);
            }
        });
        _inflight[id] = task;
        registered.SetResult();
    }

    // ---- Messages (mentions, DMs, thread follow-ups) ----

    private async Task HandleMessageAsync(DiscordMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var isDm = message.GuildId is null;
            var inBotThread = !isDm && _botThreads.TryGet(message.ChannelId, out _);
            _botThreads.TryGet(message.ChannelId, out var previous);
            if (!isDm && !inBotThread)
            {
                var allowed = await _settings.GetAnswerChannelsAsync(Platform, message.GuildId!, cancellationToken).ConfigureAwait(false);
                if (allowed is not null && !allowed.Contains(message.ChannelId))
                {
                    Log.ChannelNotAllowed(_logger, message.GuildId!, message.ChannelId);
                    return;
                }
            }

            if (IsBlocked(message.ChannelId))
            {
                return;
            }

            var question = DiscordText.Normalize(message.Content);
            if (question.Length == 0)
            {
                if (!string.IsNullOrEmpty(message.Content) || isDm)
                {
                    await SendRepliesAsync(message, [new MessageParams { Content = HelpText }], cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            Answer answer;
            using (var typingCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var typing = KeepTypingAsync(message.ChannelId, typingCts.Token);
                try
                {
                    answer = await AnswerAsync(question, message.GuildId, message.ChannelId, message.Author!.Id, inBotThread ? previous : null, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await typingCts.CancelAsync().ConfigureAwait(false);
                    await typing.ConfigureAwait(false);
                }
            }

            var sent = await SendRepliesAsync(message, AnswerFormatter.Format(answer), cancellationToken).ConfigureAwait(false);
            _metrics.RecordAnswer(isDm ? "dm" : inBotThread ? "thread" : "mention");
            if (inBotThread)
            {
                _botThreads.Set(message.ChannelId, question);
            }
            else if (sent is not null && _options.UseThreads && !isDm && message.ChannelType is (int)ChannelType.GuildText)
            {
                await TryOpenThreadAsync(message, sent, question, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            Log.TurnFailed(_logger, "MESSAGE_CREATE", message.ChannelId, ex);
            await TrySendAsync(message, "Sorry, something went wrong while answering. Please try again later.", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Answer> AnswerAsync(string text, string? guildId, string? channelId, string? userId, string? previousQuestion, CancellationToken cancellationToken)
    {
        await _answerSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var question = new Question(text, new QuestionContext(Platform, guildId, channelId, userId, previousQuestion))
            {
                MaxCitations = Math.Clamp(_options.MaxCitations, 1, 10),
            };
            var answer = await _answerer.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
            _answers.Set(answer.Id, answer);
            return answer;
        }
        finally
        {
            _answerSlots.Release();
        }
    }

    /// <summary>Sends the chunks in order, the first as a reply to the question; returns the first message sent.</summary>
    private async Task<DiscordMessage?> SendRepliesAsync(DiscordMessage question, IReadOnlyList<MessageParams> messages, CancellationToken cancellationToken)
    {
        DiscordMessage? first = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var body = messages[i] with
            {
                AllowedMentions = AllowedMentions.None,
                MessageReference = i == 0 ? new MessageReference { MessageId = question.Id, FailIfNotExists = false } : null,
                Nonce = question.Id + ":" + i.ToString(CultureInfo.InvariantCulture),
                EnforceNonce = true,
            };
            try
            {
                var sent = await _rest.CreateMessageAsync(question.ChannelId, body, cancellationToken).ConfigureAwait(false);
                first ??= sent;
            }
            catch (DiscordHttpException ex) when (ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                _blockedChannels[question.ChannelId] = _time.GetUtcNow() + BlockedChannelMemory;
                Log.CannotReply(_logger, question.ChannelId, (int)ex.Status, ex.DiscordCode);
                return first;
            }
        }

        return first;
    }

    private async Task TryOpenThreadAsync(DiscordMessage question, DiscordMessage reply, string questionText, CancellationToken cancellationToken)
    {
        try
        {
            var name = AnswerFormatter.Truncate(questionText, 90);
            var thread = await _rest.StartThreadFromMessageAsync(reply.ChannelId, reply.Id, name.Length == 0 ? "PolicyBot" : name, cancellationToken).ConfigureAwait(false);
            _botThreads.Set(thread.Id, questionText);
        }
        catch (DiscordHttpException ex)
        {
            // The server does not allow threads here (permissions, channel type): the plain reply stands.
            Log.ThreadNotOpened(_logger, question.ChannelId, (int)ex.Status, ex.DiscordCode);
        }
    }

    private async Task KeepTypingAsync(string channelId, CancellationToken cancellationToken)
    {
        try
        {
            // Most answers take milliseconds: show "typing…" only when one is still being computed, which halves
            // the REST calls per question under load.
            await Task.Delay(TypingAfter, _time, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                await _rest.TriggerTypingAsync(channelId, cancellationToken).ConfigureAwait(false);
                await Task.Delay(TypingRefresh, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
        catch (DiscordHttpException ex)
        {
            Log.TypingFailed(_logger, channelId, (int)ex.Status);
        }
    }

    private async Task TrySendAsync(DiscordMessage question, string text, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || IsBlocked(question.ChannelId))
        {
            return;
        }

        try
        {
            await SendRepliesAsync(question, [new MessageParams { Content = text }], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DiscordHttpException or OperationCanceledException)
        {
            Log.ApologyFailed(_logger, question.ChannelId, ex);
        }
    }

    private bool IsBlocked(string channelId)
    {
        if (_blockedChannels.TryGetValue(channelId, out var until))
        {
            if (until > _time.GetUtcNow())
            {
                return true;
            }

            _blockedChannels.TryRemove(channelId, out _);
        }

        return false;
    }

    // ---- Interactions ----

    private async Task HandleInteractionAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        try
        {
            switch ((InteractionType)interaction.Type)
            {
                case InteractionType.ApplicationCommand:
                    await HandleCommandAsync(interaction, cancellationToken).ConfigureAwait(false);
                    break;
                case InteractionType.ApplicationCommandAutocomplete:
                    await HandleAutocompleteAsync(interaction, cancellationToken).ConfigureAwait(false);
                    break;
                case InteractionType.MessageComponent:
                    await HandleComponentAsync(interaction, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await RespondEphemeralAsync(interaction, "PolicyBot does not handle this kind of interaction.", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (DiscordHttpException ex) when (ex.DiscordCode is 10062 or 40060 or 50027 or 10015)
        {
            // Expired or already-acknowledged interaction: retrying cannot help.
            Log.InteractionExpired(_logger, interaction.Id, ex.DiscordCode ?? 0);
        }
        catch (Exception ex)
        {
            Log.TurnFailed(_logger, "INTERACTION_CREATE", interaction.ChannelId ?? "", ex);
        }
    }

    private async Task HandleCommandAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        var options = interaction.Data?.Options ?? [];
        switch (interaction.Data?.Name)
        {
            case "ask":
                await HandleAskAsync(interaction, options, cancellationToken).ConfigureAwait(false);
                break;
            case "sources":
                await RespondAsync(interaction, SourcesMessage(), cancellationToken).ConfigureAwait(false);
                break;
            case "about":
                await RespondAsync(interaction, new MessageParams { Content = AboutText(), Flags = MessageFlags.Ephemeral }, cancellationToken).ConfigureAwait(false);
                break;
            case "config":
                await RespondEphemeralAsync(interaction, await ConfigureAsync(interaction, options, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                break;
            default:
                await RespondEphemeralAsync(interaction, "Unknown command. Try `/ask`, `/sources` or `/about`.", cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task HandleAskAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        var text = DiscordText.Normalize(StringOption(options, "question"));
        var isPrivate = BoolOption(options, "private") ?? false;
        var flags = isPrivate ? MessageFlags.Ephemeral : (int?)null;

        // The 3-second rule: acknowledge first (type 5), answer later by editing @original.
        await _rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<MessageParams>((int)InteractionCallbackType.DeferredChannelMessageWithSource, new MessageParams { Flags = flags, AllowedMentions = null }),
            cancellationToken).ConfigureAwait(false);

        var applicationId = _applicationId ?? interaction.ApplicationId;
        IReadOnlyList<MessageParams> messages;
        if (text.Length == 0)
        {
            messages = [new MessageParams { Content = HelpText }];
        }
        else
        {
            try
            {
                var answer = await AnswerAsync(text, interaction.GuildId, interaction.ChannelId, interaction.Invoker?.Id, null, cancellationToken).ConfigureAwait(false);
                messages = AnswerFormatter.Format(answer);
                _metrics.RecordAnswer("slash");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.TurnFailed(_logger, "ask", interaction.ChannelId ?? "", ex);
                messages = [new MessageParams { Content = "Sorry, something went wrong while answering. Please try again later." }];
            }
        }

        await _rest.EditOriginalResponseAsync(applicationId, interaction.Token, messages[0] with { AllowedMentions = AllowedMentions.None }, cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < messages.Count; i++)
        {
            await _rest.CreateFollowupMessageAsync(applicationId, interaction.Token, messages[i] with { AllowedMentions = AllowedMentions.None, Flags = flags }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleAutocompleteAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        var focused = Flatten(interaction.Data?.Options ?? []).FirstOrDefault(o => o.Focused == true);
        var prefix = focused?.Value is { ValueKind: JsonValueKind.String } v ? DiscordText.Normalize(v.GetString()) : "";
        var choices = _catalog.Suggest(prefix, 25)
            .Select(s => AnswerFormatter.Truncate(s, 100))
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Take(25)
            .Select(s => new ApplicationCommandOptionChoice(s, s))
            .ToList();
        await _rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<AutocompleteCallbackData>((int)InteractionCallbackType.ApplicationCommandAutocompleteResult, new AutocompleteCallbackData(choices)),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task HandleComponentAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        var customId = interaction.Data?.CustomId ?? "";
        var userId = interaction.Invoker?.Id;
        if (TryFeedback(customId, out var answerId, out var reaction))
        {
            // Acknowledge within the 3-second window first; the store write follows (a slow store must not cost the callback).
            var at = _time.GetUtcNow();
            await RespondEphemeralAsync(interaction, reaction == FeedbackReaction.Positive ? "Thanks, glad it helped. Your feedback was recorded." : "Thanks, your feedback was recorded and will help improve the answers.", cancellationToken).ConfigureAwait(false);
            await _feedback.RecordAsync(new Feedback(answerId, Platform, userId, reaction, null, at), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (customId.StartsWith(AnswerFormatter.SourcesPrefix, StringComparison.Ordinal))
        {
            var id = customId[AnswerFormatter.SourcesPrefix.Length..];
            if (!_answers.TryGet(id, out var answer) || answer.Citations.Count == 0)
            {
                await RespondEphemeralAsync(interaction, "The sources of this answer are no longer available; ask the question again to see them.", cancellationToken).ConfigureAwait(false);
                return;
            }

            // One ephemeral response with every quoted passage in full (not one message per passage).
            await RespondAsync(interaction, AnswerFormatter.PassagesMessage(answer.Citations), cancellationToken).ConfigureAwait(false);
            return;
        }

        Log.UnknownCustomId(_logger, customId.Length);
        await RespondEphemeralAsync(interaction, "This button is no longer valid. Ask the question again.", cancellationToken).ConfigureAwait(false);
    }

    private static bool TryFeedback(string customId, out string answerId, out FeedbackReaction reaction)
    {
        if (customId.StartsWith(AnswerFormatter.FeedbackUpPrefix, StringComparison.Ordinal) && customId.Length > AnswerFormatter.FeedbackUpPrefix.Length)
        {
            answerId = customId[AnswerFormatter.FeedbackUpPrefix.Length..];
            reaction = FeedbackReaction.Positive;
            return true;
        }

        if (customId.StartsWith(AnswerFormatter.FeedbackDownPrefix, StringComparison.Ordinal) && customId.Length > AnswerFormatter.FeedbackDownPrefix.Length)
        {
            answerId = customId[AnswerFormatter.FeedbackDownPrefix.Length..];
            reaction = FeedbackReaction.Negative;
            return true;
        }

        answerId = "";
        reaction = default;
        return false;
    }

    private async Task<string> ConfigureAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken)
    {
        if (interaction.GuildId is not { } guildId)
        {
            return "Server settings can only be changed inside a server.";
        }

        if (!ulong.TryParse(interaction.Member?.Permissions, NumberStyles.None, CultureInfo.InvariantCulture, out var permissions)
            || (permissions & (ManageGuild | Administrator)) == 0)
        {
            return "Only members with the Manage Server permission can change where PolicyBot answers.";
        }

        var group = options.FirstOrDefault(o => o.Type == (int)ApplicationCommandOptionType.SubCommandGroup && o.Name == "channels");
        var sub = group?.Options?.FirstOrDefault(o => o.Type == (int)ApplicationCommandOptionType.SubCommand);
        var current = await _settings.GetAnswerChannelsAsync(Platform, guildId, cancellationToken).ConfigureAwait(false);
        var channel = sub?.Options is { } subOptions ? StringOption(subOptions, "channel") : null;
        switch (sub?.Name)
        {
            case "add" when channel is not null:
                var added = (current ?? []).Append(channel).Distinct(StringComparer.Ordinal).ToList();
                await _settings.SetAnswerChannelsAsync(Platform, guildId, added, cancellationToken).ConfigureAwait(false);
                return $"PolicyBot now answers mentions in: {ChannelList(added)}.";
            case "remove" when channel is not null:
                var left = (current ?? []).Where(c => c != channel).ToList();
                await _settings.SetAnswerChannelsAsync(Platform, guildId, left.Count == 0 ? null : left, cancellationToken).ConfigureAwait(false);
                return left.Count == 0 ? "The channel list is now empty: PolicyBot answers mentions in every channel it can read." : $"PolicyBot now answers mentions in: {ChannelList(left)}.";
            case "clear":
                await _settings.SetAnswerChannelsAsync(Platform, guildId, null, cancellationToken).ConfigureAwait(false);
                return "PolicyBot answers mentions in every channel it can read.";
            case "list":
                return current is null ? "PolicyBot answers mentions in every channel it can read." : $"PolicyBot answers mentions in: {ChannelList(current)}.";
            default:
                return "Use `/config channels add`, `remove`, `list` or `clear`.";
        }
    }

    private static string ChannelList(IEnumerable<string> channels) => string.Join(", ", channels.Select(c => $"<#{c}>"));

    private Task RespondEphemeralAsync(Interaction interaction, string text, CancellationToken cancellationToken)
        => RespondAsync(interaction, new MessageParams { Content = text, Flags = MessageFlags.Ephemeral }, cancellationToken);

    private Task RespondAsync(Interaction interaction, MessageParams message, CancellationToken cancellationToken)
        => _rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<MessageParams>((int)InteractionCallbackType.ChannelMessageWithSource, message with { AllowedMentions = AllowedMentions.None }),
            cancellationToken);

    private MessageParams SourcesMessage()
    {
        var documents = _catalog.Documents.OrderBy(d => d.Title, StringComparer.OrdinalIgnoreCase).ToList();
        if (documents.Count == 0)
        {
            return new MessageParams { Content = "The corpus is empty: no documents are indexed yet.", Flags = MessageFlags.Ephemeral };
        }

        var builder = new StringBuilder();
        var shown = 0;
        foreach (var d in documents)
        {
            var title = AnswerFormatter.Truncate(DiscordText.Defuse(d.Title).Replace("[", "(", StringComparison.Ordinal).Replace("]", ")", StringComparison.Ordinal), 150);
            var link = Uri.TryCreate(d.Source, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) && u.AbsoluteUri.Length < 300
                ? $"[{title}](<{u.AbsoluteUri}>)"
                : title;
            var line = $"• {link} — {d.Kind}{(d.Published is { } p ? ", " + p : "")}\n";
            if (builder.Length + line.Length > 3900)
            {
                break;
            }

            builder.Append(line);
            shown++;
        }

        if (shown < documents.Count)
        {
            builder.Append(CultureInfo.InvariantCulture, $"…and {documents.Count - shown} more.");
        }

        return new MessageParams
        {
            Embeds = [new Embed { Title = $"Corpus: {documents.Count} documents", Description = builder.ToString().TrimEnd(), Footer = new EmbedFooter(AnswerFormatter.Truncate($"Corpus version {_catalog.CorpusVersion}", 200)) }],
            Flags = MessageFlags.Ephemeral,
        };
    }

    private string AboutText()
    {
        var indexed = _catalog.LastIndexed;
        var when = indexed == default ? "not yet" : $"<t:{indexed.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}:R> ({indexed.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)";
        return $"""
            **PolicyBot** answers questions about AI policy with extracts from a curated corpus of policy documents, each with its citation.
            • Corpus: {_catalog.Documents.Count} documents, version `{_catalog.CorpusVersion}`, last indexed {when}.
            • Answers are verbatim extracts from the cited sources, not legal or professional advice: check the source before relying on it.
            • {PrivacyNotice.Text(_options.AuditRetention)}
            Ask with `/ask`, by mentioning me, or in a DM. `/sources` lists the documents.
            """;
    }

    private const string HelpText = "Ask me a question about AI policy, for example `/ask question: What does the EU AI Act say about high-risk systems?` or mention me with your question.";

    private static IEnumerable<ApplicationCommandInteractionDataOption> Flatten(IEnumerable<ApplicationCommandInteractionDataOption> options)
        => options.SelectMany(o => o.Options is { } nested ? Flatten(nested).Prepend(o) : [o]);

    private static string? StringOption(IReadOnlyList<ApplicationCommandInteractionDataOption> options, string name)
        => Flatten(options).FirstOrDefault(o => o.Name == name)?.Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static bool? BoolOption(IReadOnlyList<ApplicationCommandInteractionDataOption> options, string name)
        => Flatten(options).FirstOrDefault(o => o.Name == name)?.Value is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

    private static partial class Log
    {
        [LoggerMessage(201, LogLevel.Warning, "Too many turns in flight ({Pending}); dropping a dispatch")]
        public static partial void Overloaded(ILogger logger, int pending);

        [LoggerMessage(202, LogLevel.Debug, "Guild {GuildId}: channel {ChannelId} is not in the answer-channel list")]
        public static partial void ChannelNotAllowed(ILogger logger, string guildId, string channelId);

        [LoggerMessage(203, LogLevel.Error, "{EventType} turn in channel {ChannelId} failed")]
        public static partial void TurnFailed(ILogger logger, string eventType, string channelId, Exception exception);

        [LoggerMessage(204, LogLevel.Warning, "Cannot reply in channel {ChannelId} (HTTP {Status}, code {Code}); not trying there for a while")]
        public static partial void CannotReply(ILogger logger, string channelId, int status, int? code);

        [LoggerMessage(205, LogLevel.Information, "No thread opened in channel {ChannelId} (HTTP {Status}, code {Code})")]
        public static partial void ThreadNotOpened(ILogger logger, string channelId, int status, int? code);

        [LoggerMessage(206, LogLevel.Debug, "Typing indicator in channel {ChannelId} failed with {Status}")]
        public static partial void TypingFailed(ILogger logger, string channelId, int status);

        [LoggerMessage(207, LogLevel.Warning, "Could not send the apology in channel {ChannelId}")]
        public static partial void ApologyFailed(ILogger logger, string channelId, Exception exception);

        [LoggerMessage(208, LogLevel.Warning, "Interaction {InteractionId} expired or was already acknowledged (code {Code}); not retrying")]
        public static partial void InteractionExpired(ILogger logger, string interactionId, int code);

        [LoggerMessage(209, LogLevel.Information, "Ignoring a button with an unknown custom_id ({Length} chars)")]
        public static partial void UnknownCustomId(ILogger logger, int length);
    }
}
