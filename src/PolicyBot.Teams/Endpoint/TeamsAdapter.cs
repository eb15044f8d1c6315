using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Auth;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;
using PolicyBot.Teams.Translation;
using PolicyBot.Teams.Turns;
using PolicyBot.Teams.Turns.Commands;
using static PolicyBot.Teams.Translation.ActivityTranslator;

namespace PolicyBot.Teams.Endpoint;

/// <summary>
/// <c>POST /api/messages</c>: authenticate first (401, nothing else, on any failure), dedupe, then route the
/// activity (translated into a turn by <see cref="ActivityTranslator"/>).
/// Messages and welcomes are acknowledged with 202 and answered by the background workers; invokes are
/// answered inside the request.
/// </summary>
internal sealed class TeamsAdapter(
    BotFrameworkAuthenticator authenticator,
    TrustedServiceUrls trustedServiceUrls,
    TeamsTurnQueue queue,
    SentAnswerIndex sentAnswers,
    IFeedbackSink feedbackSink,
    TeamsCommands commands,
    DeliveryDedupe dedupe,
    TeamsMetrics metrics,
    IOptions<TeamsOptions> options,
    TimeProvider time,
    ILogger<TeamsAdapter> logger)
{
    private readonly BoundedRecentMap<bool> _seenActivities = new(20_000);

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.RequestAborted;
        var headers = context.Request.Headers.Authorization.ToArray();
        var remote = context.Connection.RemoteIpAddress;

        if (authenticator.PreCheck(headers, remote) == AuthOutcome.Rejected)
        {
            Unauthorized(context);
            return;
        }

        Activity? activity;
        try
        {
            activity = await ReadActivityAsync(context.Request, options.Value.MaxRequestBytes, ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            activity = null;
        }

        if (activity is null || string.IsNullOrEmpty(activity.Type))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var outcome = await authenticator.AuthenticateAsync(headers, remote, activity, ct).ConfigureAwait(false);
        if (outcome == AuthOutcome.Rejected)
        {
            Unauthorized(context);
            return;
        }

        if (outcome == AuthOutcome.Authenticated)
        {
            trustedServiceUrls.Trust(activity.ServiceUrl!);
        }

        metrics.ActivityReceived(activity.Type);

        if (string.Equals(activity.Type, ActivityTypes.Invoke, StringComparison.Ordinal))
        {
            await HandleInvokeAsync(context, activity, ct).ConfigureAwait(false);
            return;
        }

        var dedupeKey = $"{activity.Conversation?.Id}|{activity.Id}";
        if (!string.IsNullOrEmpty(activity.Id) && !_seenActivities.TryAdd(dedupeKey, true))
        {
            TeamsLog.DuplicateActivity(logger, activity.Id);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        var status = activity.Type switch
        {
            ActivityTypes.Message => RouteMessage(activity),
            ActivityTypes.ConversationUpdate => RouteConversationUpdate(activity),
            _ => StatusCodes.Status200OK, // installationUpdate, typing, unknown types: ignored (A2006).
        };
        if (status >= StatusCodes.Status500InternalServerError)
        {
            // Not handled (queue full): a redelivery must not be mistaken for a duplicate.
            _seenActivities.Remove(dedupeKey);
        }

        context.Response.StatusCode = status;
    }

    private static async Task<Activity?> ReadActivityAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }

        return JsonSerializer.Deserialize<Activity>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), BotJson.Options);
    }

    private void Unauthorized(HttpContext context)
    {
        metrics.AuthFailed();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
    }

    private int RouteMessage(Activity activity)
    {
        if (!CanReply(activity))
        {
            return StatusCodes.Status400BadRequest;
        }

        // Card Action.Submit arrives as a message with an empty text and the data in value.
        if (string.IsNullOrWhiteSpace(activity.Text) && activity.Value is JsonObject submitted)
        {
            return Enqueue(CardSubmission(activity, submitted, commands));
        }

        var (text, botMentioned) = StripBotMention(activity);
        if (string.Equals(activity.Conversation?.ConversationType, "channel", StringComparison.OrdinalIgnoreCase) && !botMentioned)
        {
            return StatusCodes.Status200OK; // Not addressed to us.
        }

        return Enqueue(ParseCommand(activity, text, commands));
    }

    private int RouteConversationUpdate(Activity activity)
    {
        var botId = activity.Recipient?.Id;
        var botAdded = botId is not null && activity.MembersAdded?.Any(m => string.Equals(m.Id, botId, StringComparison.Ordinal)) == true;
        if (botAdded && CanReply(activity) && !queue.TryEnqueue(new TeamsTurn(activity, TurnKind.Welcome)))
        {
            TeamsLog.QueueFull(logger, activity.Id ?? "");
        }

        // Conversation events are always acknowledged with 200 (teams-bot-framework.md §5); the welcome goes out later.
        return StatusCodes.Status200OK;
    }

    private int Enqueue(TeamsTurn? turn)
    {
        if (turn is null)
        {
            return StatusCodes.Status200OK;
        }

        if (!queue.TryEnqueue(turn))
        {
            TeamsLog.QueueFull(logger, turn.Activity.Id ?? "");
            return StatusCodes.Status503ServiceUnavailable;
        }

        return StatusCodes.Status202Accepted;
    }

    private async Task HandleInvokeAsync(HttpContext context, Activity activity, CancellationToken ct)
    {
        switch (activity.Name)
        {
            case "message/submitAction":
                // A redelivered feedback invoke is answered the same way but recorded once.
                if (await dedupe.TryClaimAsync("teams.feedback", activity, ct).ConfigureAwait(false))
                {
                    await RecordFeedbackAsync(activity, ct).ConfigureAwait(false);
                }

                await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject(), ct).ConfigureAwait(false);
                return;
            case "adaptiveCard/action":
                var (status, body) = AdaptiveCardAction(activity);
                await WriteJsonAsync(context, status, body, ct).ConfigureAwait(false);
                return;
            case null or "" or "task/submit" when activity.Value is JsonObject submitted && CanReply(activity):
                // Action.Submit delivered as an invoke: same card handling as the message form.
                var turn = CardSubmission(activity, submitted, commands);
                if (turn is not null && !queue.TryEnqueue(turn))
                {
                    TeamsLog.QueueFull(logger, activity.Id ?? "");
                }

                await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject(), ct).ConfigureAwait(false);
                return;
            default:
                context.Response.StatusCode = StatusCodes.Status501NotImplemented; // As the reference SDK does for unhandled invokes.
                return;
        }
    }

    private async Task RecordFeedbackAsync(Activity activity, CancellationToken ct)
    {
        var value = activity.Value as JsonObject;
        if (!string.Equals(Str(value?["actionName"]), "feedback", StringComparison.Ordinal) || value?["actionValue"] is not JsonObject actionValue)
        {
            return;
        }

        FeedbackReaction? reaction = Str(actionValue["reaction"]) switch
        {
            "like" => FeedbackReaction.Positive,
            "dislike" => FeedbackReaction.Negative,
            _ => null,
        };
        if (reaction is null || string.IsNullOrEmpty(activity.ReplyToId))
        {
            return;
        }

        string? comment = null;
        if (Str(actionValue["feedback"]) is { Length: > 0 } feedbackJson)
        {
            try
            {
                comment = JsonNode.Parse(feedbackJson) is JsonObject parsed ? Str(parsed["feedbackText"]) : feedbackJson;
            }
            catch (JsonException)
            {
                comment = feedbackJson;
            }
        }

        var answerId = sentAnswers.Find(activity.ReplyToId) ?? activity.ReplyToId;
        var feedback = new Feedback(answerId, "teams", activity.From?.AadObjectId ?? activity.From?.Id, reaction.Value, string.IsNullOrWhiteSpace(comment) ? null : comment, time.GetUtcNow());
        try
        {
            await feedbackSink.RecordAsync(feedback, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Teams only accepts an empty body here; losing one feedback record must not break the client.
            TeamsLog.FeedbackFailed(logger, ex);
        }
    }

    /// <summary>Universal Actions (<c>Action.Execute</c>); invalid shapes get the reference SDK's 400 error body.</summary>
    private (int Status, JsonObject Body) AdaptiveCardAction(Activity activity)
    {
        if (activity.Value is not JsonObject value || value["action"] is not JsonObject action)
        {
            return (400, InvokeError("BadRequest", "Missing value.action."));
        }

        if (!string.Equals(Str(action["type"]), "Action.Execute", StringComparison.Ordinal))
        {
            return (400, InvokeError("NotSupported", "Only Action.Execute is supported."));
        }

        var data = action["data"] as JsonObject;
        switch (Str(action["verb"]))
        {
            case "ask" when Str(data?["question"]) is { Length: > 0 } question && CanReply(activity):
                var queued = queue.TryEnqueue(new TeamsTurn(activity, TurnKind.Question, question));
                return (200, InvokeMessage(queued ? "Looking that up…" : "I'm busy right now; please ask again in a minute."));
            case "sources" when commands.Find("sources") is SourcesCommand sources:
                return (200, new JsonObject
                {
                    ["statusCode"] = 200,
                    ["type"] = TeamsAnswerFormatter.AdaptiveCardContentType,
                    ["value"] = sources.CardContent(),
                });
            case "about" when commands.Find("about") is AboutCommand about:
                return (200, InvokeMessage(about.Text()));
            default:
                return (200, InvokeMessage("Sorry, that action is not supported."));
        }
    }

    private static JsonObject InvokeMessage(string text) =>
        new() { ["statusCode"] = 200, ["type"] = "application/vnd.microsoft.activity.message", ["value"] = text };

    private static JsonObject InvokeError(string code, string message) =>
        new() { ["statusCode"] = 400, ["type"] = "application/vnd.microsoft.error", ["value"] = new JsonObject { ["code"] = code, ["message"] = message } };

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body, CancellationToken ct)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), ct).ConfigureAwait(false);
    }
}
