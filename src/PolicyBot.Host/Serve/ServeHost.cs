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
using PolicyBot.Core.Watching;
using PolicyBot.Host.Admin;
using PolicyBot.Host.Configuration;
using PolicyBot.Teams;
using PolicyBot.State;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Index;
using PolicyBot.Core.Text;

namespace PolicyBot.Host.Serve;

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
        var overrides = new List<KeyValuePair<string, string?>>(configurationOverrides ?? []);
        if (settings.ShardId is { } shard)
        {
            overrides.Add(new("POLICYBOT_SHARD_ID", shard.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            overrides.Add(new("POLICYBOT_SHARD_COUNT", settings.ShardCount?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The one settings model, validated once, here: every problem named together, no value printed.
        var loaded = PolicyBotConfiguration.Load(overrides: overrides);
        var problems = loaded.Problems.ToList();
        problems.AddRange(settings.Bind(loaded.Settings, discordFlag, teamsFlag));
        problems.AddRange(loaded.Settings.Validate(settings.Discord, settings.Teams, state: true));
        var otlp = OtlpSettings.Read(loaded.Settings.Telemetry, problems);
        if (problems.Count > 0)
        {
            throw new ServeConfigurationException(problems.Distinct().ToList());
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = environmentName });
        builder.Configuration.AddConfiguration(loaded.Configuration);
        if (loaded.Settings.Telemetry.LogLevel is { } level)
        {
            builder.Logging.SetMinimumLevel(level);
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
        services.AddPolicyBotTelemetry(builder.Configuration, otlp);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Engine);
        services.AddSingleton(settings.Operations);
        services.AddSingleton(sp => new PolicyBotMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<LiveIndex>();
        services.AddSingleton<ICorpusCatalog>(sp => sp.GetRequiredService<LiveIndex>());
        var configuration = loaded.Configuration;
        services.AddPolicyBotState(
            o => configuration.GetSection(SettingKeys.StateSection).Bind(o),
            o => configuration.GetSection(SettingKeys.AuditSection).Bind(o),
            settings.Engine.IndexPath);
        services.AddSingleton<IQuestionRateLimiter>(sp => settings.Operations.SharedRateLimits
            ? new StoreRateLimiter(sp.GetRequiredService<IBotStore>(), sp.GetRequiredService<TimeProvider>())
            : new InMemoryRateLimiter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IQuestionTerms>(QuestionTerms.Default);
        services.AddHostedService<AuditTermsBackfillService>();
        services.AddSingleton(sp => new OperatedAnswerer(
            sp.GetRequiredService<LiveIndex>(),
            sp.GetRequiredService<LiveIndex>(),
            sp.GetRequiredService<IBotStore>(),
            sp.GetRequiredService<IQuestionTerms>(),
            sp.GetRequiredService<UserIdHasher>(),
            sp.GetRequiredService<IQuestionRateLimiter>(),
            settings.Operations,
            sp.GetRequiredService<PolicyBotMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OperatedAnswerer>>()));
        services.AddSingleton<IQuestionAnswerer>(sp => sp.GetRequiredService<OperatedAnswerer>());
        services.AddSingleton(sp => new WatchNotifier(
            sp.GetRequiredService<IWatchStore>(),
            sp.GetRequiredService<IDeliveryClaims>(),
            sp.GetServices<IWatchNoticeSender>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WatchNotifier>>()));
        services.AddSingleton<IndexService>();
        services.AddHostedService(sp => sp.GetRequiredService<IndexService>());
        services.AddHealthChecks()
            .AddReadiness("index", sp => sp.GetRequiredService<LiveIndex>().IsLoaded)
            .AddReadiness("accepting", sp => !sp.GetRequiredService<OperatedAnswerer>().IsDraining);

        if (settings.Discord)
        {
            PlatformWiring.AddDiscord(services, configuration.GetSection(SettingKeys.DiscordSection));
        }

        if (settings.Teams)
        {
            services.AddPolicyBotTeams(configuration.GetSection(SettingKeys.TeamsSection));
            services.PostConfigure<TeamsOptions>(o => o.SettingName = SettingKeys.NamesIn(SettingKeys.TeamsSection));
            services.AddHealthChecks().AddReadiness("teams", sp => sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.IsCancellationRequested);
        }

        services.AddHostedService<DrainService>();
        services.AddPolicyBotAdmin(loaded.Settings.Admin);
        configure?.Invoke(builder);

        var app = builder.Build();

        // The libraries' own option validators, as a guard: the settings above already passed the same checks.
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            throw new ServeConfigurationException(StartupFailures(ex).Distinct().ToList());
        }

        app.MapPolicyBotAdmin();
        app.MapPolicyBotHealth();
        app.MapPolicyBotMetrics();
        if (settings.Teams)
        {
            app.MapPolicyBotTeams();
        }

        return app;
    }

    private static IEnumerable<string> StartupFailures(Exception exception)
    {
        var failures = exception is AggregateException aggregate ? aggregate.InnerExceptions : [exception];
        foreach (var failure in failures.OfType<OptionsValidationException>())
        {
            var section = failure.OptionsType.Name switch
            {
                nameof(PolicyBot.Discord.DiscordOptions) => SettingKeys.DiscordSection,
                nameof(TeamsOptions) => SettingKeys.TeamsSection,
                nameof(BotStateOptions) => SettingKeys.StateSection,
                nameof(AuditOptions) => SettingKeys.AuditSection,
                nameof(TelemetrySettings) => SettingKeys.TelemetrySection,
                _ => failure.OptionsType.Name,
            };
            foreach (var message in failure.Failures)
            {
                yield return SettingKeys.Describe(section, message);
            }
        }
    }
}
