using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
/// Bot Connector v3 REST client: path building with percent-encoded ids, bearer token, retries for
/// 429/412/5xx honouring <c>Retry-After</c>, one token refresh on 401, no retry for 400/403/404, typed 413.
/// </summary>
internal sealed class ConnectorClient
{
    private readonly HttpClient _http;
    private readonly IBotTokenProvider _tokens;
    private readonly TrustedServiceUrls _trusted;
    private readonly ConversationPacer _pacer;
    private readonly TeamsOptions _options;
    private readonly TimeProvider _time;
    private readonly TeamsMetrics _metrics;
    private readonly ILogger<ConnectorClient> _logger;

    public ConnectorClient(
        HttpClient http,
        IBotTokenProvider tokens,
        TrustedServiceUrls trusted,
        ConversationPacer pacer,
        IOptions<TeamsOptions> options,
        TimeProvider time,
        TeamsMetrics metrics,
        ILogger<ConnectorClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _tokens = tokens;
        _trusted = trusted;
        _pacer = pacer;
        _options = options.Value;
        _time = time;
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
        var refreshedAfter401 = false;
        for (var attempt = 1; ; attempt++)
        {
            await _pacer.WaitTurnAsync(conversationId, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            var token = await _tokens.GetTokenAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
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
            TeamsLog.ConnectorError(_logger, (int)status, code ?? "", operationId ?? "", attempt);

            if (status == HttpStatusCode.Unauthorized && token is not null && !refreshedAfter401)
            {
                refreshedAfter401 = true;
                await _tokens.GetTokenAsync(forceRefresh: true, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (status == HttpStatusCode.RequestEntityTooLarge)
            {
                throw new MessageTooLargeException(code, operationId);
            }

            var retryable = status is HttpStatusCode.TooManyRequests or HttpStatusCode.PreconditionFailed
                or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
            if (status == HttpStatusCode.TooManyRequests)
            {
                _metrics.ConnectorThrottled();
            }

            if (!retryable || attempt >= _options.MaxSendAttempts)
            {
                throw new ConnectorException($"The Connector answered {(int)status} {code}.", status, code, operationId);
            }

            var delay = RetryDelay(response.Headers.RetryAfter, attempt);
            if (delay is null)
            {
                // The Connector asks for a longer pause than a reply is worth holding a worker for.
                throw new ConnectorException($"The Connector answered {(int)status} {code} with a Retry-After beyond {_options.RetryMaxDelay}.", status, code, operationId);
            }

            TeamsLog.ConnectorRetry(_logger, (int)status, delay.Value);
            await Task.Delay(delay.Value, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Retry-After is honoured exactly (null when it exceeds the cap); otherwise exponential backoff with jitter.</summary>
    private TimeSpan? RetryDelay(RetryConditionHeaderValue? retryAfter, int attempt)
    {
        TimeSpan? fromHeader = retryAfter switch
        {
            { Delta: { } d } => d,
            { Date: { } date } => date - _time.GetUtcNow(),
            _ => null,
        };
        if (fromHeader is { } h)
        {
            return h < TimeSpan.Zero ? TimeSpan.Zero : h > _options.RetryMaxDelay ? null : h;
        }

        // Exponential backoff with full jitter in [base*2^(n-1)/2, base*2^(n-1)], capped.
        var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter for retry spreading, not security.
        var jittered = ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5));
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(jittered);
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
