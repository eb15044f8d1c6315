using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Rest;

/// <summary>
/// The REST API client: <c>Authorization: Bot</c>, the required User-Agent, per-route buckets learnt from
/// <c>X-RateLimit-*</c> headers (keyed by bucket + top-level resource), 429 <c>retry_after</c> and global pauses,
/// pre-emptive global pacing (50/s; interaction callbacks exempt), typed errors. Those are the Discord protocol and
/// hand-written here (no served library implements Discord's bucket protocol on HttpClient); the generic retries of
/// 5xx and transport failures are the HTTP client's resilience pipeline (<see cref="DiscordHttp"/>).
/// </summary>
internal sealed partial class DiscordRestClient
{
    public const string UserAgent = "DiscordBot (https://github.com/policybot/policybot, 1.0)";
    /// <summary>Discord allows 50 requests/s per bot.</summary>
    public const int GlobalRequestsPerSecond = 50;
    private const int MaxRateLimitRetries = 4;
    private static readonly TimeSpan ResetMargin = TimeSpan.FromMilliseconds(50);

    private readonly HttpClient _http;
    private readonly string _baseUrl;
    private readonly string _token;
    private readonly string _tokenSetting;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DiscordMetrics _metrics;
    private readonly ConcurrentDictionary<string, string> _bucketByRoute = new();
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new();
    private readonly Queue<DateTimeOffset> _globalWindow = new();
    private readonly SemaphoreSlim _globalLock = new(1, 1);
    private readonly TaskCompletionSource<DiscordHttpException> _unauthorized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _globalPauseUntil;
    private int _globalInFlight;

    public DiscordRestClient(HttpClient http, DiscordOptions options, TimeProvider time, ILogger logger, DiscordMetrics metrics)
    {
        _http = http;
        _baseUrl = options.ApiBaseUrl.TrimEnd('/');
        _token = options.Token;
        _tokenSetting = options.SettingName(nameof(DiscordOptions.Token));
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Completes when Discord answered 401 to the bot token: the token is invalid and the bot must stop.</summary>
    public Task<DiscordHttpException> Unauthorized => _unauthorized.Task;

    public Task<GatewayBotResponse> GetGatewayBotAsync(CancellationToken cancellationToken)
        => SendRequiredAsync<GatewayBotResponse>(HttpMethod.Get, "/gateway/bot", null, cancellationToken);

    public Task<DiscordMessage> CreateMessageAsync(string channelId, MessageParams message, CancellationToken cancellationToken)
        => SendRequiredAsync<DiscordMessage>(HttpMethod.Post, $"/channels/{channelId}/messages", message, cancellationToken);

    public Task TriggerTypingAsync(string channelId, CancellationToken cancellationToken)
        => SendAsync<JsonElement?>(HttpMethod.Post, $"/channels/{channelId}/typing", null, cancellationToken);

    public Task<DiscordChannel> StartThreadFromMessageAsync(string channelId, string messageId, string name, CancellationToken cancellationToken)
        => SendRequiredAsync<DiscordChannel>(
            HttpMethod.Post,
            $"/channels/{channelId}/messages/{messageId}/threads",
            new Dictionary<string, object> { ["name"] = name, ["auto_archive_duration"] = 1440 },
            cancellationToken);

    public Task CreateInteractionResponseAsync<T>(string interactionId, string interactionToken, InteractionResponse<T> response, CancellationToken cancellationToken)
        => SendAsync<JsonElement?>(HttpMethod.Post, $"/interactions/{interactionId}/{interactionToken}/callback", response, cancellationToken);

    public Task<DiscordMessage> EditOriginalResponseAsync(string applicationId, string interactionToken, MessageParams message, CancellationToken cancellationToken)
        => SendRequiredAsync<DiscordMessage>(HttpMethod.Patch, $"/webhooks/{applicationId}/{interactionToken}/messages/@original", message, cancellationToken);

    public Task DeleteOriginalResponseAsync(string applicationId, string interactionToken, CancellationToken cancellationToken)
        => SendAsync<JsonElement?>(HttpMethod.Delete, $"/webhooks/{applicationId}/{interactionToken}/messages/@original", null, cancellationToken);

    public Task<DiscordMessage> CreateFollowupMessageAsync(string applicationId, string interactionToken, MessageParams message, CancellationToken cancellationToken)
        => SendRequiredAsync<DiscordMessage>(HttpMethod.Post, $"/webhooks/{applicationId}/{interactionToken}", message, cancellationToken);

    public Task<JsonElement> BulkOverwriteCommandsAsync(string applicationId, string? guildId, JsonElement commands, CancellationToken cancellationToken)
        => SendRequiredAsync<JsonElement>(
            HttpMethod.Put,
            guildId is null ? $"/applications/{applicationId}/commands" : $"/applications/{applicationId}/guilds/{guildId}/commands",
            commands,
            cancellationToken);

    public async Task<T> SendRequiredAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
        => await SendAsync<T>(method, path, body, cancellationToken).ConfigureAwait(false)
           ?? throw new DiscordHttpException(HttpStatusCode.OK, null, "empty response body", method.Method, Route.Parse(method, path).Template);

    /// <summary>Sends one request through the rate limiter; retries 429 (5xx and transport failures are retried by the HTTP client's pipeline); throws <see cref="DiscordHttpException"/> otherwise.</summary>
    public async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var route = Route.Parse(method, path);
        if (_unauthorized.Task.IsCompleted && route.NeedsBotToken)
        {
            throw _unauthorized.Task.Result;
        }

        var payload = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), DiscordJson.Options);
        var rateLimited = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bucket = await AcquireBucketAsync(route, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage? response = null;
            var globalSlot = false;
            try
            {
                await WaitForBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
                if (!route.IsInteractionRoute)
                {
                    await WaitForGlobalAsync(cancellationToken).ConfigureAwait(false);
                    globalSlot = true;
                }

                using var request = new HttpRequestMessage(method, _baseUrl + path);
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                request.Options.Set(DiscordHttp.RouteTemplate, route.Template);
                if (route.IsInteractionCallback)
                {
                    // A callback that timed out may have been applied: it is never sent twice.
                    request.Options.Set(DiscordHttp.NotRetryable, true);
                }

                if (route.NeedsBotToken)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bot", _token);
                }

                if (payload is not null)
                {
                    request.Content = new ByteArrayContent(payload);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }

                try
                {
                    response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // A timeout or dropped connection that the pipeline's retries did not cure (or a callback, which
                    // is never repeated): the request may or may not have been applied.
                    throw new DiscordHttpException($"Discord {method.Method} {route.Template} failed: {ex.GetType().Name}", ex);
                }

                UpdateBucket(route, bucket, response);
                if (response.IsSuccessStatusCode)
                {
                    if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(JsonElement?) && response.Content.Headers.ContentLength == 0)
                    {
                        return default;
                    }

                    return await response.Content.ReadFromJsonAsync<T>(DiscordJson.Options, cancellationToken).ConfigureAwait(false);
                }

                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var scope = Header(response, "X-RateLimit-Scope") ?? (error?.Global == true ? "global" : "user");
                    _metrics.RecordRateLimited(scope);
                    var retryAfter = TimeSpan.FromSeconds(error?.RetryAfter ?? HeaderDouble(response, "Retry-After") ?? 1);
                    var global = error?.Global == true || string.Equals(Header(response, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase);
                    Log.RateLimited(_logger, method.Method, route.Template, scope, retryAfter.TotalSeconds, global);
                    if (global)
                    {
                        lock (_globalWindow)
                        {
                            var until = _time.GetUtcNow() + retryAfter;
                            _globalPauseUntil = until > _globalPauseUntil ? until : _globalPauseUntil;
                        }
                    }
                    else
                    {
                        bucket.Hold(_time.GetUtcNow() + retryAfter);
                    }

                    if (++rateLimited > MaxRateLimitRetries)
                    {
                        throw Error(response.StatusCode, error, method, route);
                    }

                    continue;
                }

                var exception = Error(response.StatusCode, error, method, route);
                if (response.StatusCode == HttpStatusCode.Unauthorized && route.NeedsBotToken)
                {
                    Log.TokenRejected(_logger, method.Method, route.Template, _tokenSetting);
                    _unauthorized.TrySetResult(exception);
                }

                throw exception;
            }
            finally
            {
                if (globalSlot)
                {
                    ReleaseGlobal();
                }

                response?.Dispose();
                bucket.Lock.Release();
            }
        }
    }

    private static DiscordHttpException Error(HttpStatusCode status, DiscordErrorBody? error, HttpMethod method, Route route)
        => new(status, error?.Code, error?.Message, method.Method, route.Template);

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static double? HeaderDouble(HttpResponseMessage response, string name)
        => double.TryParse(Header(response, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static async Task<DiscordErrorBody?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<DiscordErrorBody>(text, DiscordJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<Bucket> AcquireBucketAsync(Route route, CancellationToken cancellationToken)
    {
        while (true)
        {
            var bucket = GetBucket(route);
            await bucket.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (ReferenceEquals(bucket, GetBucket(route)))
            {
                return bucket;
            }

            bucket.Lock.Release();
        }
    }

    private Bucket GetBucket(Route route)
    {
        var id = _bucketByRoute.TryGetValue(route.Key, out var hash) ? hash : route.Key;
        return _buckets.GetOrAdd(id + "|" + route.Major, static _ => new Bucket());
    }

    private async Task WaitForBucketAsync(Bucket bucket, CancellationToken cancellationToken)
    {
        var wait = bucket.WaitTime(_time.GetUtcNow());
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void UpdateBucket(Route route, Bucket current, HttpResponseMessage response)
    {
        var hash = Header(response, "X-RateLimit-Bucket");
        var target = current;
        if (hash is not null)
        {
            _bucketByRoute[route.Key] = hash;
            target = _buckets.GetOrAdd(hash + "|" + route.Major, static _ => new Bucket());
        }

        if (int.TryParse(Header(response, "X-RateLimit-Remaining"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining))
        {
            // Reset-After has millisecond precision; a small margin keeps a rounded-down value from being early.
            var resetAfter = HeaderDouble(response, "X-RateLimit-Reset-After") ?? 0;
            target.Update(remaining, _time.GetUtcNow() + TimeSpan.FromSeconds(resetAfter) + ResetMargin);
        }
    }

    /// <summary>
    /// Takes a global slot. A slot is held while the request is in flight and for 1 s after its response, so that
    /// however late a request reaches Discord, no more than 50 can arrive in any second (arrival lies between the
    /// send and the response).
    /// </summary>
    private async Task WaitForGlobalAsync(CancellationToken cancellationToken)
    {
        await _globalLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_globalWindow)
                {
                    var now = _time.GetUtcNow();
                    while (_globalWindow.Count > 0 && now - _globalWindow.Peek() >= TimeSpan.FromSeconds(1))
                    {
                        _globalWindow.Dequeue();
                    }

                    wait = _globalPauseUntil - now;
                    if (wait <= TimeSpan.Zero && _globalInFlight + _globalWindow.Count >= GlobalRequestsPerSecond)
                    {
                        wait = _globalWindow.Count > 0 ? _globalWindow.Peek() + TimeSpan.FromSeconds(1) - now : TimeSpan.FromMilliseconds(10);
                    }

                    if (wait <= TimeSpan.Zero)
                    {
                        _globalInFlight++;
                        return;
                    }
                }

                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _globalLock.Release();
        }
    }

    private void ReleaseGlobal()
    {
        lock (_globalWindow)
        {
            _globalInFlight--;
            _globalWindow.Enqueue(_time.GetUtcNow());
        }
    }

    /// <summary>State of one rate-limit bucket for one top-level resource. Requests through a bucket are serialised.</summary>
    private sealed class Bucket
    {
        private readonly Lock _gate = new();
        private int _remaining = 1;
        private DateTimeOffset _resetAt;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        public TimeSpan WaitTime(DateTimeOffset now)
        {
            lock (_gate)
            {
                if (now >= _resetAt)
                {
                    return TimeSpan.Zero;
                }

                return _remaining > 0 ? TimeSpan.Zero : _resetAt - now;
            }
        }

        public void Update(int remaining, DateTimeOffset resetAt)
        {
            lock (_gate)
            {
                _remaining = remaining;
                _resetAt = resetAt;
            }
        }

        public void Hold(DateTimeOffset until)
        {
            lock (_gate)
            {
                _remaining = 0;
                _resetAt = until > _resetAt ? until : _resetAt;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Warning, "Discord rate-limited {Method} {Route} (scope {Scope}, global {Global}); retrying in {RetryAfter} s")]
        public static partial void RateLimited(ILogger logger, string method, string route, string scope, double retryAfter, bool global);

        [LoggerMessage(104, LogLevel.Critical, "Discord rejected the bot token (HTTP 401 on {Method} {Route}): check {TokenSetting}. No further REST calls will be made with it.")]
        public static partial void TokenRejected(ILogger logger, string method, string route, string tokenSetting);
    }
}

/// <summary>A parsed REST route: rate-limit key, top-level resource, and a template safe to log (tokens redacted).</summary>
internal sealed record Route(string Key, string Major, string Template, bool NeedsBotToken, bool IsInteractionCallback)
{
    /// <summary>Interaction callbacks and interaction webhooks (token routes) are exempt from the global limit.</summary>
    public bool IsInteractionRoute => IsInteractionCallback || !NeedsBotToken;

    public static Route Parse(HttpMethod method, string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var clean = query >= 0 ? path[..query] : path;
        var segments = clean.Trim('/').Split('/');
        var major = "";
        var template = new string[segments.Length];
        var root = segments.Length > 0 ? segments[0] : "";
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            var isToken = (root is "webhooks" or "interactions") && i == 2;
            if (isToken)
            {
                template[i] = "{token}";
            }
            else if (i == 1 && root is "channels" or "guilds" or "webhooks" or "interactions")
            {
                template[i] = root is "interactions" ? "{id}" : s; // the top-level resource stays in the key
            }
            else
            {
                template[i] = s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : s;
            }
        }

        if (segments.Length > 1 && root is "channels" or "guilds")
        {
            major = segments[1];
        }
        else if (segments.Length > 2 && root is "webhooks" or "interactions")
        {
            major = segments[1] + "/" + Hash(segments[2]);
        }

        var joined = "/" + string.Join('/', template);
        var isCallback = root == "interactions";
        var isInteractionWebhook = root == "webhooks" && segments.Length > 2;
        return new Route(method.Method + " " + joined, major, joined, NeedsBotToken: !isCallback && !isInteractionWebhook, isCallback);
    }

    // The interaction token keys its webhook bucket; keep only a short hash of it in memory keys.
    private static string Hash(string token)
        => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)).AsSpan(0, 8));
}
