using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Teams;
using PolicyBot.State;
using PolicyBot.Search.Index;

namespace PolicyBot.Host.Serve;

/// <summary>One readiness condition for /readyz.</summary>
internal sealed record ReadinessCheck(string Name, Func<IServiceProvider, bool> IsReady);

/// <summary>
/// Builds the one generic host <c>policybot serve</c> runs: the engine (loaded in the background, live-reloaded),
/// the state store, the operated answer path (audit, limits, queue), the enabled platforms, and the operations
/// endpoints /healthz, /readyz and /metrics on <c>POLICYBOT_HTTP_URL</c> (the Teams endpoint shares it).
/// </summary>
internal static class ServeHost
{
    /// <summary>
    /// Builds (does not start) the host. Configuration problems found here throw <see cref="ServeConfigurationException"/>;
    /// the platforms' and the store's own option validators run when the host starts (<see cref="OptionsValidationException"/>).
    /// </summary>
    public static WebApplication Build(
        ServeSettings settings,
        bool discordFlag,
        bool teamsFlag,
        IEnumerable<KeyValuePair<string, string?>>? configurationOverrides = null,
        Action<WebApplicationBuilder>? configure = null,
        string? environmentName = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = environmentName });
        if (configurationOverrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(configurationOverrides);
        }

        var overrides = new Dictionary<string, string?>();
        if (settings.ShardId is { } shard)
        {
            overrides["POLICYBOT_SHARD_ID"] = shard.ToString(System.Globalization.CultureInfo.InvariantCulture);
            overrides["POLICYBOT_SHARD_COUNT"] = settings.ShardCount?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        var problems = settings.Bind(builder.Configuration, discordFlag, teamsFlag).ToList();
        var otlp = OtlpSettings.Read(builder.Configuration, problems);
        if (problems.Count > 0)
        {
            throw new ServeConfigurationException(problems);
        }

        builder.WebHost.UseUrls(settings.HttpUrl);
        // Per-request lines from ASP.NET Core drown the bot's own; Logging__LogLevel__Microsoft.AspNetCore=Information restores them.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        var services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Operations.DrainTimeout + TimeSpan.FromSeconds(15));
        services.AddMetrics();
        services.AddSingleton(settings);
        services.AddSingleton(settings.Engine);
        services.AddSingleton(settings.Operations);
        services.AddSingleton(sp => new PrometheusExporter(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => new PolicyBotMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<LiveIndex>();
        services.AddSingleton<ICorpusCatalog>(sp => sp.GetRequiredService<LiveIndex>());
        services.AddPolicyBotState(builder.Configuration, settings.Engine.IndexPath);
        services.AddSingleton<IQuestionRateLimiter>(sp => settings.Operations.SharedRateLimits
            ? new StoreRateLimiter(sp.GetRequiredService<IBotStore>(), sp.GetRequiredService<TimeProvider>())
            : new InMemoryRateLimiter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new OperatedAnswerer(
            sp.GetRequiredService<LiveIndex>(),
            sp.GetRequiredService<LiveIndex>(),
            sp.GetRequiredService<IBotStore>(),
            sp.GetRequiredService<UserIdHasher>(),
            sp.GetRequiredService<IQuestionRateLimiter>(),
            settings.Operations,
            sp.GetRequiredService<PolicyBotMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OperatedAnswerer>>()));
        services.AddSingleton<IQuestionAnswerer>(sp => sp.GetRequiredService<OperatedAnswerer>());
        services.AddSingleton<IndexService>();
        services.AddHostedService(sp => sp.GetRequiredService<IndexService>());
        services.AddSingleton(new ReadinessCheck("index", sp => sp.GetRequiredService<LiveIndex>().IsLoaded));

        if (settings.Discord)
        {
            PlatformWiring.AddDiscord(services, builder.Configuration);
        }

        if (settings.Teams)
        {
            services.AddPolicyBotTeams(builder.Configuration);
            services.AddSingleton(new ReadinessCheck("teams", sp => sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.IsCancellationRequested));
        }

        if (otlp is not null)
        {
            services.AddSingleton(otlp);
            services.AddHostedService<OtlpExportService>();
        }

        services.AddHostedService<DrainService>();
        configure?.Invoke(builder);

        var app = builder.Build();

        // Every option validator at once, before anything starts or logs: all problems in one message.
        app.Services.GetService<IStartupValidator>()?.Validate();

        // Listen before the first measurement so nothing recorded at start is lost.
        _ = app.Services.GetRequiredService<PrometheusExporter>();
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"));
        app.MapGet("/readyz", (IServiceProvider sp) => Readiness(sp));
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        if (settings.Teams)
        {
            app.MapPolicyBotTeams();
        }

        return app;
    }

    private static IResult Readiness(IServiceProvider services)
    {
        var checks = services.GetServices<ReadinessCheck>().ToList();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            state[check.Name] = check.IsReady(services);
        }

        var draining = services.GetRequiredService<OperatedAnswerer>().IsDraining;
        state["accepting"] = !draining;
        var ready = state.Values.All(v => v);
        var body = JsonSerializer.Serialize(new ReadyBody(ready, state, services.GetRequiredService<LiveIndex>().CorpusVersion), ServeJsonContext.Default.ReadyBody);
        return Results.Text(body, "application/json", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

internal sealed record ReadyBody(bool Ready, Dictionary<string, bool> Checks, string CorpusVersion);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReadyBody))]
internal sealed partial class ServeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
