using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace PolicyBot.Discord.Rest;

/// <summary>
/// The REST client's <see cref="HttpClient"/>, from <c>IHttpClientFactory</c> with a Microsoft.Extensions.Http.Resilience
/// pipeline for the generic failures: server errors (5xx) and transport failures (connection refused or reset, a
/// timed-out attempt) are retried with exponential backoff and jitter, at most <see cref="MaxRetries"/> times, only
/// for requests that are safe to repeat (an interaction callback is not: Discord may have applied it). Rate limits
/// are not the pipeline's business: 429s, <c>Retry-After</c>, the per-route buckets and the global pacing are the
/// Discord protocol and stay in <see cref="DiscordRestClient"/>.
/// <para>
/// No log of this client may carry a secret: the bot token travels in <c>Authorization</c> and interaction tokens in
/// webhook and callback URLs, so the factory's request logging is removed (<c>RemoveAllLoggers</c>) and, should a
/// logger ever be added back, <c>Authorization</c> is redacted. The resilience pipeline's own telemetry logs the
/// pipeline name, the outcome (a status code or an exception type) and the attempt, never the request.
/// </para>
/// </summary>
internal static partial class DiscordHttp
{
    public const string ClientName = "PolicyBot.Discord.Rest";

    /// <summary>Retries after the first attempt (4 attempts in all), as the hand-written loop this replaced allowed.</summary>
    public const int MaxRetries = 3;

    /// <summary>Each attempt's limit, in real time (Discord's latency is real even when the bot's clock is not).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Marks a request that must not be sent twice (interaction callbacks).</summary>
    public static readonly HttpRequestOptionsKey<bool> NotRetryable = new("PolicyBot.Discord.NotRetryable");

    /// <summary>The route template of a request (tokens redacted): what the retry log names, never the URL.</summary>
    public static readonly HttpRequestOptionsKey<string> RouteTemplate = new("PolicyBot.Discord.Route");

    public static IHttpClientBuilder Add(IServiceCollection services)
    {
        var builder = services.AddHttpClient(ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts rule
            // The REST client is a singleton holding one HttpClient: DNS changes are picked up by the pool's lifetime.
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .RedactLoggedHeaders(["Authorization"]);
        builder.AddResilienceHandler("discord-rest", static (pipeline, context) =>
        {
            // The bot's clock (virtual in the conformance tests), so the backoff is measured as the bot measures time.
            pipeline.TimeProvider = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DiscordRestClient));
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetries,
                ShouldRetryAfterHeader = false, // a 5xx's Retry-After is not Discord's rate limit; 429s never reach here (set first: it resets DelayGenerator)
                // 250 ms · 2^n · [1, 2): always growing (Polly's own jitter is decorrelated and may shrink a gap).
                DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(TimeSpan.FromMilliseconds(250 * Math.Pow(2, args.AttemptNumber) * (1 + Random.Shared.NextDouble()))),
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                OnRetry = args =>
                {
                    var request = args.Context.GetRequestMessage();
                    var route = request is not null && request.Options.TryGetValue(RouteTemplate, out var template) ? template : "?";
                    if (args.Outcome.Result is { } response)
                    {
                        LogServerErrorRetry(logger, request?.Method.Method ?? "?", route, (int)response.StatusCode, args.AttemptNumber + 1, args.RetryDelay);
                    }
                    else
                    {
                        LogTransportRetry(logger, request?.Method.Method ?? "?", route, args.AttemptNumber + 1, args.RetryDelay);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        });
        // Inside the retry: each attempt's timeout, on the real clock (its own pipeline, so its own time provider).
        builder.AddResilienceHandler("discord-rest-attempt", static pipeline =>
        {
            pipeline.TimeProvider = TimeProvider.System;
            pipeline.AddTimeout(AttemptTimeout);
        });
        return builder;
    }

    /// <summary>5xx and transport failures of a repeatable request; never 429 (the client's protocol) nor a 4xx.</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = context.GetRequestMessage();
        if (request is not null && request.Options.TryGetValue(NotRetryable, out var notRetryable) && notRetryable)
        {
            return false;
        }

        return outcome switch
        {
            { Result: { } response } => (int)response.StatusCode >= 500,
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            _ => false,
        };
    }

    [LoggerMessage(102, LogLevel.Warning, "Discord answered {Method} {Route} with {Status}; retry {Attempt} in {Delay}")]
    private static partial void LogServerErrorRetry(ILogger logger, string method, string route, int status, int attempt, TimeSpan delay);

    [LoggerMessage(103, LogLevel.Warning, "Discord request {Method} {Route} did not complete; retry {Attempt} in {Delay}")]
    private static partial void LogTransportRetry(ILogger logger, string method, string route, int attempt, TimeSpan delay);
}
