using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Migrations;
using PolicyBot.State.Postgres;

namespace PolicyBot.State;

/// <summary>The one entry point for the bot's durable state.</summary>
public static class PolicyBotStateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBotStore"/> — PostgreSQL when <c>POLICYBOT_DATABASE</c> is set, else SQLite beside
    /// <paramref name="indexPath"/> — and the same singleton as <see cref="IFeedbackSink"/> and
    /// <see cref="IServerSettingsStore"/>, <see cref="ISecretStore"/>, <see cref="IExpiringCache"/> and
    /// <see cref="IDeliveryClaims"/>; <see cref="UserIdHasher"/>; validated <see cref="BotStateOptions"/>
    /// (checked at start); migrations applied before any hosted service starts; and <see cref="AuditRetentionService"/>.
    /// </summary>
    public static IServiceCollection AddPolicyBotState(this IServiceCollection services, IConfiguration configuration, string indexPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(indexPath);

        services.AddOptions<BotStateOptions>()
            .Configure(options => BotStateConfiguration.Bind(configuration, options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BotStateOptions>, BotStateOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BotStateOptions>, DatabaseSettingValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BotStateOptions>>().Value.CreateHasher());
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

        services.AddHostedService<BotStoreMigrationService>();
        services.AddHostedService<AuditRetentionService>();
        return services;
    }

    /// <summary>Fails start-up when <c>POLICYBOT_DATABASE</c> cannot be parsed (the message names the setting, not the value).</summary>
    private sealed class DatabaseSettingValidator : IValidateOptions<BotStateOptions>
    {
        public ValidateOptionsResult Validate(string? name, BotStateOptions options)
        {
            if (options.Database is null)
            {
                return ValidateOptionsResult.Success;
            }

            try
            {
                _ = PostgresConnectionString.Parse(options.Database);
                return ValidateOptionsResult.Success;
            }
            catch (FormatException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
