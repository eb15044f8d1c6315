using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams;

/// <summary>
/// Does the slow part of a turn off the HTTP request: typing indicator, the answer, the reply (split when large),
/// the sources card. One error boundary per turn: a failure posts a short apology, never silence.
/// </summary>
internal sealed class TeamsTurnHandler(
    IQuestionAnswerer answerer,
    ICorpusCatalog catalog,
    ConnectorClient connector,
    SentAnswerIndex sentAnswers,
    IOptions<TeamsOptions> options,
    TimeProvider time,
    ILogger<TeamsTurnHandler> logger)
{
    public const string Apology = "Sorry, something went wrong while I was answering. Please try again in a moment.";

    public const string WelcomeIntro =
        "Hi, I'm **PolicyBot**. I answer questions about AI policy (laws, regulations, standards and guidance) " +
        "by quoting passages from a curated set of documents, with numbered citations.\n\n" +
        "**How to ask:** in a personal chat just type your question; in a channel or group chat mention me first, " +
        "e.g. *@PolicyBot what does the EU AI Act say about high-risk systems?* " +
        "Type **sources** to list the documents and **about** for details.\n\n";

    private readonly TeamsOptions _options = options.Value;

    /// <summary>The welcome: what the bot answers, how to ask, and the logging and retention notice.</summary>
    public string WelcomeText => WelcomeIntro + "Please note: " + PrivacyNotice.Text(_options.AuditRetention);

    public async Task ProcessAsync(TeamsTurn turn, CancellationToken cancellationToken)
    {
        var inbound = turn.Activity;
        try
        {
            switch (turn.Kind)
            {
                case TurnKind.Question:
                    await AnswerAsync(inbound, turn.Text ?? "", cancellationToken).ConfigureAwait(false);
                    break;
                case TurnKind.Welcome:
                    var welcome = TeamsAnswerFormatter.TextReply(inbound, WelcomeText);
                    welcome.ReplyToId = null;
                    await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, null, welcome, cancellationToken).ConfigureAwait(false);
                    break;
                case TurnKind.Help:
                    await ReplyTextAsync(inbound, WelcomeText, cancellationToken).ConfigureAwait(false);
                    break;
                case TurnKind.Sources:
                    await ReplyTextAsync(inbound, SourcesText(), cancellationToken).ConfigureAwait(false);
                    break;
                case TurnKind.About:
                    await ReplyTextAsync(inbound, AboutText(), cancellationToken).ConfigureAwait(false);
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
                await ReplyTextAsync(inbound, Apology, cancellationToken).ConfigureAwait(false);
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
                var halves = TeamsAnswerFormatter.SplitText(part, (part.Length / 2) + 8);
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

    private Task ReplyTextAsync(Activity inbound, string text, CancellationToken cancellationToken) =>
        connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, inbound.Id, TeamsAnswerFormatter.TextReply(inbound, text), cancellationToken);

    private string SourcesText()
    {
        var docs = catalog.Documents;
        if (docs.Count == 0)
        {
            return "No documents are indexed yet.";
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"I answer from {docs.Count} documents:\n\n");
        foreach (var d in docs.OrderBy(d => d.Title, StringComparer.OrdinalIgnoreCase).Take(40))
        {
            sb.Append("- ").Append(d.Title);
            if (!string.IsNullOrWhiteSpace(d.Kind))
            {
                sb.Append(" (").Append(d.Kind).Append(')');
            }

            sb.Append('\n');
        }

        if (docs.Count > 40)
        {
            sb.Append(CultureInfo.InvariantCulture, $"…and {docs.Count - 40} more.");
        }

        return sb.ToString().TrimEnd();
    }

    private string AboutText() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"PolicyBot answers AI-policy questions with extracts from {catalog.Documents.Count} documents (corpus {catalog.CorpusVersion}, indexed {catalog.LastIndexed:yyyy-MM-dd HH:mm} UTC). Every sentence is quoted from a cited passage; it is not legal advice. Questions are logged to improve the bot.");
}

/// <summary>Bot message id → Core answer id, so feedback on a message links to the answer.</summary>
internal sealed class SentAnswerIndex
{
    private readonly BoundedRecentMap<string> _map = new(50_000);

    public void Remember(string botMessageId, string answerId) => _map.TryAdd(botMessageId, answerId);

    public string? Find(string botMessageId) => _map.TryGet(botMessageId, out var id) ? id : null;
}
