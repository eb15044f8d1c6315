using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PolicyBot.Search.Index;

namespace PolicyBot.Host.Serve;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> on ASP.NET Core health checks: liveness runs no check; readiness runs every
/// check tagged <see cref="ReadyTag"/> (index loaded, each platform connected, not draining) and answers 200 or 503
/// with <c>{"ready","checks":{name:bool},"corpusVersion"}</c>.
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>Adds a readiness condition evaluated against the host's services at each probe.</summary>
    public static IHealthChecksBuilder AddReadiness(this IHealthChecksBuilder builder, string name, Func<IServiceProvider, bool> isReady)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new ReadinessProbe(sp, isReady), HealthStatus.Unhealthy, [ReadyTag]));
    }

    public static void MapPolicyBotHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) =>
            {
                context.Response.ContentType = "text/plain";
                return context.Response.WriteAsync("ok\n");
            },
        });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = async (context, report) =>
            {
                var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy, StringComparer.Ordinal);
                var body = new ReadyBody(report.Status == HealthStatus.Healthy, checks, context.RequestServices.GetRequiredService<LiveIndex>().CorpusVersion);
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, body, ServeJsonContext.Default.ReadyBody, context.RequestAborted).ConfigureAwait(false);
            },
        });
    }

    private sealed class ReadinessProbe(IServiceProvider services, Func<IServiceProvider, bool> isReady) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(isReady(services) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
    }
}

internal sealed record ReadyBody(bool Ready, Dictionary<string, bool> Checks, string CorpusVersion);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReadyBody))]
internal sealed partial class ServeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
