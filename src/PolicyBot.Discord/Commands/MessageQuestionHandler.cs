using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using PolicyBot.Core.Commands;
using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Protocol;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord.Commands;

/// <summary>Whether a message is for the bot, decided on the receive loop.</summary>
internal enum Addressed
{
    No,
    Yes,

    /// <summary>Only if the channel turns out to be a thread the bot opened (a store look-up, off the loop).</summary>
    IfBotThread,
}

/// <summary>
/// Questions asked in messages: a mention in a channel, a DM, or a follow-up in a thread the bot opened.
/// Replies to the question (split when long), shows typing only when the answer takes a while, opens a thread.
/// </summary>
internal sealed class MessageQuestionHandler(DiscordTurnServices services)
{
    private static readonly TimeSpan TypingRefresh = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan TypingAfter = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan BlockedChannelMemory = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedChannels = new();

    /// <summary>Whether a MESSAGE_CREATE is addressed to the bot (runs on the receive loop: no I/O).</summary>
    public Addressed IsCandidate(DiscordMessage message)
    {
        var botUserId = services.BotUserId;
        if (message.Author is null || message.Author.Id == botUserId || message.Author.Bot == true || message.Author.System == true || message.WebhookId is not null)
        {
            return Addressed.No;
        }

        if (message.Type is not ((int)MessageType.Default or (int)MessageType.Reply))
        {
            return Addressed.No;
        }

        if (message.GuildId is null)
        {
            return Addressed.Yes; // a DM to the bot
        }

        var mentioned = botUserId is not null && message.Mentions?.Any(u => u.Id == botUserId) == true;
        if (mentioned || services.Memory.IsKnownThread(message.ChannelId))
        {
            return Addressed.Yes;
        }

        // A thread the bot opened before a restart (or on another replica) is only known to the store.
        return services.Memory.MightBeThread(message.ChannelId) ? Addressed.IfBotThread : Addressed.No;
    }

    public async Task HandleAsync(DiscordMessage message, Addressed addressed, CancellationToken cancellationToken)
    {
        try
        {
            var isDm = message.GuildId is null;
            var previous = isDm ? null : await services.Memory.ThreadQuestionAsync(message.ChannelId, cancellationToken).ConfigureAwait(false);
            var inBotThread = previous is not null;
            if (addressed == Addressed.IfBotThread && !inBotThread)
            {
                return; // an ordinary message in a channel that is not one of our threads
            }

            if (!isDm && !inBotThread)
            {
                var allowed = await services.Settings.GetAnswerChannelsAsync(DiscordTurnServices.Platform, message.GuildId!, cancellationToken).ConfigureAwait(false);
                if (allowed is not null && !allowed.Contains(message.ChannelId))
                {
                    DiscordTurnLog.ChannelNotAllowed(services.Logger, message.GuildId!, message.ChannelId);
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
                    await SendRepliesAsync(message, [new MessageParams { Content = AskCommand.Help }], cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            // A question naming two or more jurisdictions ("How do China, the US and the EU regulate AI?") is compared side by side.
            if (Core.Answering.ComparisonComposer.Detect(question) is { } compare)
            {
                var comparison = await CompareCommand.CompareAsync(services, compare.Topic, compare.Jurisdictions, null, cancellationToken, message.GuildId, message.ChannelId, message.Author!.Id).ConfigureAwait(false);
                await SendRepliesAsync(message, comparison.Messages, cancellationToken).ConfigureAwait(false);
                return;
            }

            Answer answer;
            using (var typingCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var typing = KeepTypingAsync(message.ChannelId, typingCts.Token);
                try
                {
                    answer = await services.AnswerAsync(question, message.GuildId, message.ChannelId, message.Author!.Id, inBotThread ? previous : null, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await typingCts.CancelAsync().ConfigureAwait(false);
                    await typing.ConfigureAwait(false);
                }
            }

            // A refusal (rate limit, queue full) is one short reply: no embeds, no buttons, no thread.
            var sent = await SendRepliesAsync(message, AnswerFormatter.Format(answer), cancellationToken).ConfigureAwait(false);
            services.Metrics.RecordAnswer(isDm ? "dm" : inBotThread ? "thread" : "mention");
            if (answer.Outcome == AnswerOutcome.Refused)
            {
                return;
            }

            if (inBotThread)
            {
                await services.Memory.RememberThreadAsync(message.ChannelId, question, cancellationToken).ConfigureAwait(false);
            }
            else if (sent is not null && services.Options.UseThreads && !isDm && message.ChannelType is (int)ChannelType.GuildText)
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
            DiscordTurnLog.TurnFailed(services.Logger, "MESSAGE_CREATE", message.ChannelId, ex);
            await TrySendAsync(message, BotTexts.Apology, cancellationToken).ConfigureAwait(false);
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
                var sent = await services.Rest.CreateMessageAsync(question.ChannelId, body, cancellationToken).ConfigureAwait(false);
                first ??= sent;
            }
            catch (DiscordHttpException ex) when (ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                _blockedChannels[question.ChannelId] = services.Time.GetUtcNow() + BlockedChannelMemory;
                DiscordTurnLog.CannotReply(services.Logger, question.ChannelId, (int)ex.Status, ex.DiscordCode);
                return first;
            }
        }

        return first;
    }

    private async Task TryOpenThreadAsync(DiscordMessage question, DiscordMessage reply, string questionText, CancellationToken cancellationToken)
    {
        try
        {
            var name = Core.Text.TextCut.Truncate(questionText, 90);
            var thread = await services.Rest.StartThreadFromMessageAsync(reply.ChannelId, reply.Id, name.Length == 0 ? BotTexts.Name : name, cancellationToken).ConfigureAwait(false);
            await services.Memory.RememberThreadAsync(thread.Id, questionText, cancellationToken).ConfigureAwait(false);
        }
        catch (DiscordHttpException ex)
        {
            // The server does not allow threads here (permissions, channel type): the plain reply stands.
            DiscordTurnLog.ThreadNotOpened(services.Logger, question.ChannelId, (int)ex.Status, ex.DiscordCode);
        }
    }

    private async Task KeepTypingAsync(string channelId, CancellationToken cancellationToken)
    {
        try
        {
            // Most answers take milliseconds: show "typing…" only when one is still being computed, which halves
            // the REST calls per question under load.
            await Task.Delay(TypingAfter, services.Time, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                await services.Rest.TriggerTypingAsync(channelId, cancellationToken).ConfigureAwait(false);
                await Task.Delay(TypingRefresh, services.Time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
        catch (DiscordHttpException ex)
        {
            DiscordTurnLog.TypingFailed(services.Logger, channelId, (int)ex.Status);
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
            DiscordTurnLog.ApologyFailed(services.Logger, question.ChannelId, ex);
        }
    }

    private bool IsBlocked(string channelId)
    {
        if (_blockedChannels.TryGetValue(channelId, out var until))
        {
            if (until > services.Time.GetUtcNow())
            {
                return true;
            }

            _blockedChannels.TryRemove(channelId, out _);
        }

        return false;
    }
}
