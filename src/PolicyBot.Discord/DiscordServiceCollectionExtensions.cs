using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Discord bot: <see cref="DiscordOptions"/> bound from <paramref name="configuration"/> (the host's
    /// Discord section; validated at start), the REST and gateway clients, the adapter,
    /// <see cref="DiscordConnectionState"/> (readiness), <see cref="DiscordMetrics"/> and the hosted service.
    /// The host registers <see cref="IQuestionAnswerer"/>, <see cref="ICorpusCatalog"/>, <see cref="IFeedbackSink"/>
    /// <see cref="IServerSettingsStore"/> and <see cref="IWatchStore"/>. Adds the Discord <see cref="PolicyBot.Core.Watching.IWatchNoticeSender"/>.
    /// </summary>
    public static IServiceCollection AddPolicyBotDiscord(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<DiscordOptions>()
            .Bind(configuration)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DiscordMetrics>(sp => new DiscordMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<DiscordConnectionState>();
        DiscordHttp.Add(services);
        services.TryAddSingleton(sp => new DiscordRestClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(DiscordHttp.ClientName),
            sp.GetRequiredService<IOptions<DiscordOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<DiscordRestClient>(),
            sp.GetRequiredService<DiscordMetrics>()));
        services.TryAddSingleton(sp => new DiscordAdapter(
            sp.GetRequiredService<DiscordRestClient>(),
            sp.GetRequiredService<IQuestionAnswerer>(),
            sp.GetRequiredService<ICorpusCatalog>(),
            sp.GetRequiredService<IFeedbackSink>(),
            sp.GetRequiredService<IServerSettingsStore>(),
            sp.GetRequiredService<IWatchStore>(),
            sp.GetRequiredService<IExpiringCache>(),
            sp.GetRequiredService<IOptions<DiscordOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<DiscordAdapter>(),
            sp.GetRequiredService<DiscordMetrics>()));
        services.TryAddSingleton(sp => new DiscordBot(
            sp.GetRequiredService<IOptions<DiscordOptions>>().Value,
            sp.GetRequiredService<DiscordRestClient>(),
            sp.GetRequiredService<DiscordAdapter>(),
            static () => new ClientWebSocketTransport(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<DiscordMetrics>(),
            sp.GetRequiredService<DiscordConnectionState>()));
        services.AddSingleton<PolicyBot.Core.Watching.IWatchNoticeSender>(sp => new Commands.DiscordWatchNoticeSender(sp.GetRequiredService<DiscordRestClient>()));
        services.AddHostedService<DiscordBotService>();
        return services;
    }
}
