using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Migrations;

namespace PolicyBot.State;

/// <summary>The one entry point for the bot's durable state.</summary>
public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBotStore"/> — PostgreSQL when <see cref="BotStateOptions.Database"/> is set, else SQLite
    /// beside <paramref name="indexPath"/> — and the same singleton as <see cref="IFeedbackSink"/>,
    /// <see cref="IServerSettingsStore"/>, <see cref="ISecretStore"/>, <see cref="IExpiringCache"/>,
    /// <see cref="IDeliveryClaims"/> and <see cref="IWatchStore"/>; <see cref="UserIdHasher"/> (the configured salt, or the store's generated one,
    /// loaded at start); validated <see cref="BotStateOptions"/> and <see cref="AuditOptions"/> (checked at start);
    /// migrations applied before any hosted service starts; and <see cref="AuditRetentionService"/>.
    /// </summary>
    public static IServiceCollection AddPolicyBotState(
        this IServiceCollection services,
        Action<BotStateOptions> configureState,
        Action<AuditOptions> configureAudit,
        string indexPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureState);
        ArgumentNullException.ThrowIfNull(configureAudit);
        ArgumentException.ThrowIfNullOrWhiteSpace(indexPath);

        services.AddOptions<BotStateOptions>().Configure(configureState).ValidateOnStart();
        services.AddOptions<AuditOptions>().Configure(configureAudit).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BotStateOptions>, BotStateOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(sp => CreateHasher(
            sp.GetRequiredService<IOptions<BotStateOptions>>().Value,
            sp.GetRequiredService<IOptions<AuditOptions>>().Value));
        services.AddSingleton(sp => BotStoreFactory.Create(
            sp.GetRequiredService<IOptions<BotStateOptions>>().Value,
            indexPath,
            sp.GetRequiredService<UserIdHasher>(),
            sp.GetService<ILoggerFactory>()));
        services.AddSingleton<IFeedbackSink>(sp => sp.GetRequiredService<IBotStore>());
        services.AddSingleton<IServerSettingsStore>(sp => sp.GetRequiredService<IBotStore>());
        services.AddSingleton<ISecretStore>(sp => sp.GetRequiredService<IBotStore>());
        services.AddSingleton<IExpiringCache>(sp => sp.GetRequiredService<IBotStore>());
        services.AddSingleton<IDeliveryClaims>(sp => sp.GetRequiredService<IBotStore>());
        services.AddSingleton<IWatchStore>(sp => sp.GetRequiredService<IBotStore>());

        services.AddHostedService<BotStoreMigrationService>();
        services.AddHostedService<AuditRetentionService>();
        return services;
    }

    /// <summary>Raw ids when opted in; the configured salt; else a hasher that gets the store's salt at start.</summary>
    public static UserIdHasher CreateHasher(BotStateOptions state, AuditOptions audit)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(audit);
        return audit.RawUserIds ? UserIdHasher.RawIds
            : state.UserSalt is { } salt ? UserIdHasher.WithSalt(salt)
            : UserIdHasher.AwaitingSalt();
    }
}
