using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace PolicyBot.Teams.Connector;

/// <summary>
/// The adapter's HTTP clients, from <c>IHttpClientFactory</c>. The Connector client retries throttling and server
/// errors through a Polly retry (honouring <c>Retry-After</c>, exponential backoff with jitter otherwise, bounded
/// attempts); the identity client (MSAL's token calls, the OpenID metadata and keys) has only a timeout, because
/// MSAL and the configuration manager apply their own retry rules.
/// </summary>
internal static class TeamsHttp
{
    public const string Connector = "PolicyBot.Teams.Connector";
    public const string Identity = "PolicyBot.Teams.Identity";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static void Add(IServiceCollection services)
    {
        // The factory's request logging is off: URIs carry conversation ids, and nothing here needs it.
        services.AddHttpClient(Identity, c => c.Timeout = RequestTimeout).RemoveAllLoggers();
        services.AddHttpClient(Connector, c => c.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts rule
            .RemoveAllLoggers()
            .AddResilienceHandler("connector", static (builder, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<TeamsOptions>>().Value;
                var metrics = context.ServiceProvider.GetRequiredService<TeamsMetrics>();
                var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConnectorClient));
                builder.AddTimeout(RequestTimeout * 4); // the whole send, retries included
                builder.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(0, options.MaxSendAttempts - 1),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = options.RetryMaxDelay,
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Result, options.RetryMaxDelay)),
                    OnRetry = args =>
                    {
                        if (args.Outcome.Result is { } response)
                        {
                            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                            {
                                metrics.ConnectorThrottled();
                            }

                            TeamsLog.ConnectorRetry(logger, (int)response.StatusCode, args.RetryDelay);
                        }

                        return ValueTask.CompletedTask;
                    },
                });
                builder.AddTimeout(RequestTimeout); // each attempt
            });
    }

    /// <summary>
    /// 429, 412 and 5xx are retried (teams rate-limit guidance); 400/401/403/404/413 are not (401 is the
    /// client's one token refresh). A <c>Retry-After</c> beyond the cap gives up rather than retrying early.
    /// Transport failures are not retried: a POST that may have been applied must not be sent twice.
    /// </summary>
    internal static bool ShouldRetry(HttpResponseMessage? response, TimeSpan maxDelay)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.PreconditionFailed
            or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
        {
            return false;
        }

        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return retryAfter is null || retryAfter <= maxDelay;
    }
}
