using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Commands;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.Text;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;
using PolicyBot.Teams.Turns.Commands;

namespace PolicyBot.Teams.Turns;

/// <summary>
/// Does the slow part of a turn off the HTTP request: typing indicator, the answer, the reply (split when large),
/// the sources card. One error boundary per turn: a failure posts a short apology, never silence.
/// </summary>
internal sealed class TeamsTurnHandler(
    IQuestionAnswerer answerer,
    ConnectorClient connector,
    TeamsCommands commands,
    DeliveryDedupe dedupe,
    SentAnswerIndex sentAnswers,
    IOptions<TeamsOptions> options,
    TimeProvider time,
    ILogger<TeamsTurnHandler> logger)
{
    public const string Apology = BotTexts.Apology;

    private readonly TeamsOptions _options = options.Value;

    /// <summary>Claim scope of message-derived turns.</summary>
    public const string TurnScope = "teams.turn";

    public async Task ProcessAsync(TeamsTurn turn, CancellationToken cancellationToken)
    {
        var inbound = turn.Activity;
        if (!await dedupe.TryClaimAsync(TurnScope, inbound, cancellationToken).ConfigureAwait(false))
        {
            TeamsLog.DuplicateActivity(logger, inbound.Id ?? "");
            return; // another replica (or an earlier delivery here) took this activity
        }

        try
        {
            switch (turn.Kind)
            {
                case TurnKind.Question:
                    await AnswerAsync(inbound, turn.Text ?? "", cancellationToken).ConfigureAwait(false);
                    break;
                case TurnKind.Welcome:
                    var welcome = TeamsAnswerFormatter.TextReply(inbound, HelpCommand.Text(_options.AuditRetention));
                    welcome.ReplyToId = null;
                    await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, null, welcome, cancellationToken).ConfigureAwait(false);
                    break;
                case TurnKind.Command when turn.Command is { } name && commands.Find(name) is { } command:
                    await command.HandleAsync(inbound, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ConnectorException ex) when (ex.Status is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound)
        {
            // Blocked, removed or gone: an apology cannot be delivered either.
            TeamsLog.ReplyFailed(logger, inbound.Id ?? "", ex);
        }
        catch (Exception ex)
        {
            TeamsLog.TurnFailed(logger, inbound.Id ?? "", ex);
            try
            {
                await connector.ReplyTextAsync(inbound, Apology, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception inner) when (inner is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TeamsLog.ReplyFailed(logger, inbound.Id ?? "", inner);
            }
        }
    }

    private async Task AnswerAsync(Activity inbound, string text, CancellationToken cancellationToken)
    {
        Answer answer;
        using (var typingStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await SendTypingAsync(inbound, cancellationToken).ConfigureAwait(false);
            var typing = TypingLoopAsync(inbound, typingStop.Token, cancellationToken);
            try
            {
                var context = new QuestionContext(
                    "teams",
                    ServerId: inbound.TeamId ?? inbound.TenantId,
                    ChannelId: inbound.Conversation?.Id,
                    UserId: inbound.From?.AadObjectId ?? inbound.From?.Id);
                answer = await answerer.AnswerAsync(new Question(text, context), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await typingStop.CancelAsync().ConfigureAwait(false);
                await typing.ConfigureAwait(false);
            }
        }

        var parts = TeamsAnswerFormatter.AnswerMessages(inbound, answer, _options.MaxMessageChars).Select(a => a.Text!).ToList();
        var citations = answer.Answered ? answer.Citations : [];
        await SendPartsAsync(inbound, parts, citations, answer.Id, cancellationToken).ConfigureAwait(false);
        if (citations.Count > 0)
        {
            var card = TeamsAnswerFormatter.SourcesCard(inbound, citations);
            var id = await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, inbound.Id, card, cancellationToken).ConfigureAwait(false);
            Remember(id, answer.Id);
        }
    }

    /// <summary>Sends the parts in order; a 413 splits the rejected part and carries on, so delivered parts are never resent.</summary>
    private async Task SendPartsAsync(Activity inbound, List<string> parts, IReadOnlyList<Citation> citations, string answerId, CancellationToken cancellationToken)
    {
        var pending = new Stack<string>(Enumerable.Reverse(parts));
        while (pending.TryPop(out var part))
        {
            var message = TeamsAnswerFormatter.AnswerMessage(inbound, part, citations);
            try
            {
                var id = await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, inbound.Id, message, cancellationToken).ConfigureAwait(false);
                Remember(id, answerId);
            }
            catch (MessageTooLargeException) when (part.Length >= 64)
            {
                TeamsLog.SplittingPart(logger, part.Length);
                var halves = TextSplitter.SplitTrimmed(part, (part.Length / 2) + 8);
                foreach (var half in Enumerable.Reverse(halves))
                {
                    pending.Push(half);
                }
            }
        }
    }

    private void Remember(string? botMessageId, string answerId)
    {
        if (!string.IsNullOrEmpty(botMessageId))
        {
            sentAnswers.Remember(botMessageId, answerId);
        }
    }

    private async Task TypingLoopAsync(Activity inbound, CancellationToken stop, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.TypingInterval, time, stop).ConfigureAwait(false);
                await SendTypingAsync(inbound, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The answer is ready.
        }
    }

    /// <summary>Typing is cosmetic: failures are logged and the answer still goes out. Sends are never cut off mid-request.</summary>
    private async Task SendTypingAsync(Activity inbound, CancellationToken cancellationToken)
    {
        try
        {
            var typing = TeamsAnswerFormatter.CreateReply(inbound, ActivityTypes.Typing);
            await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, null, typing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException or BotTokenException or InvalidOperationException)
        {
            TeamsLog.TypingFailed(logger, inbound.Conversation?.Id ?? "", ex);
        }
    }
}

/// <summary>Bot message id → Core answer id, so feedback on a message links to the answer.</summary>
internal sealed class SentAnswerIndex
{
    private readonly BoundedRecentMap<string> _map = new(50_000);

    public void Remember(string botMessageId, string answerId) => _map.TryAdd(botMessageId, answerId);

    public string? Find(string botMessageId) => _map.TryGet(botMessageId, out var id) ? id : null;
}
