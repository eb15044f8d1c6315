using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Connector;

/// <summary>A Connector call failed for good (no retry will help), with the wire details.</summary>
internal class ConnectorException(string message, HttpStatusCode status, string? errorCode, string? operationId) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;

    public string? OperationId { get; } = operationId;
}

/// <summary>413 <c>MessageSizeTooBig</c>: the caller must shrink or split the activity.</summary>
internal sealed class MessageTooLargeException(string? errorCode, string? operationId)
    : ConnectorException("The Connector rejected the message as too large (413).", HttpStatusCode.RequestEntityTooLarge, errorCode, operationId);

/// <summary>
/// Bot Connector v3 REST client: path building with percent-encoded ids, bearer token, one token refresh on 401,
/// typed 413; retries for 429/412/5xx (honouring <c>Retry-After</c>) are the HTTP client's (<see cref="TeamsHttp"/>).
/// </summary>
internal sealed class ConnectorClient
{
    private readonly HttpClient _http;
    private readonly IBotTokenProvider _tokens;
    private readonly TrustedServiceUrls _trusted;
    private readonly ConversationPacer _pacer;
    private readonly TeamsMetrics _metrics;
    private readonly ILogger<ConnectorClient> _logger;

    public ConnectorClient(
        IHttpClientFactory httpClients,
        IBotTokenProvider tokens,
        TrustedServiceUrls trusted,
        ConversationPacer pacer,
        TeamsMetrics metrics,
        ILogger<ConnectorClient> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        _http = httpClients.CreateClient(TeamsHttp.Connector);
        _tokens = tokens;
        _trusted = trusted;
        _pacer = pacer;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary><c>{serviceUrl}/v3/conversations/{id}/activities[/{activityId}]</c>, ids percent-encoded.</summary>
    public static Uri BuildActivitiesUri(string serviceUrl, string conversationId, string? activityId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceUrl);
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        var path = serviceUrl.TrimEnd('/') + "/v3/conversations/" + Uri.EscapeDataString(conversationId) + "/activities";
        if (!string.IsNullOrEmpty(activityId))
        {
            path += "/" + Uri.EscapeDataString(activityId);
        }

        return new Uri(path, UriKind.Absolute);
    }

    /// <summary>Replies to <paramref name="replyToId"/> (or sends to the conversation when null); returns the new activity id.</summary>
    public async Task<string?> SendAsync(string serviceUrl, string conversationId, string? replyToId, Activity activity, CancellationToken cancellationToken)
    {
        var uri = BuildActivitiesUri(serviceUrl, conversationId, replyToId);
        var payload = JsonSerializer.SerializeToUtf8Bytes(activity, BotJson.Options);
        await _pacer.WaitTurnAsync(conversationId, cancellationToken).ConfigureAwait(false);

        // Throttling and server errors are retried inside the HTTP client (TeamsHttp); a 401 here gets one token refresh.
        for (var send = 1; ; send++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            var token = await _tokens.GetTokenAsync(forceRefresh: send > 1, cancellationToken).ConfigureAwait(false);
            if (token is not null)
            {
                if (!_trusted.IsTrusted(serviceUrl))
                {
                    throw new InvalidOperationException("Refusing to send the bot token to a serviceUrl that no validated activity carried.");
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var operationId = response.Headers.TryGetValues("X-Correlating-OperationId", out var ids) ? ids.FirstOrDefault() : null;
            if (response.IsSuccessStatusCode)
            {
                var resource = response.Content.Headers.ContentLength == 0
                    ? null
                    : await TryReadAsync<ResourceResponse>(response, cancellationToken).ConfigureAwait(false);
                return resource?.Id;
            }

            var status = response.StatusCode;
            var error = await TryReadAsync<ErrorResponse>(response, cancellationToken).ConfigureAwait(false);
            var code = error?.Error?.Code;
            TeamsLog.ConnectorError(_logger, (int)status, code ?? "", operationId ?? "", send);
            if (status == HttpStatusCode.Unauthorized && token is not null && send == 1)
            {
                continue;
            }

            if (status == HttpStatusCode.RequestEntityTooLarge)
            {
                throw new MessageTooLargeException(code, operationId);
            }

            if (status == HttpStatusCode.TooManyRequests)
            {
                _metrics.ConnectorThrottled();
            }

            throw new ConnectorException($"The Connector answered {(int)status} {code}.", status, code, operationId);
        }
    }

    private static async Task<T?> TryReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(BotJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }
}
