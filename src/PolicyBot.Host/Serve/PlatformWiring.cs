using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Discord;
using PolicyBot.Host.Configuration;

namespace PolicyBot.Host.Serve;

/// <summary>Adds the Discord adapter to the serve host, with its connection state as a readiness check.</summary>
internal static class PlatformWiring
{
    public static void AddDiscord(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPolicyBotDiscord(configuration);
        // Operator messages name the settings the operator sets (DISCORD_TOKEN), which only the host knows.
        services.PostConfigure<DiscordOptions>(o => o.SettingName = SettingKeys.NamesIn(SettingKeys.DiscordSection));
        services.AddHealthChecks().AddReadiness("discord", sp => sp.GetRequiredService<DiscordConnectionState>().IsConnected);
    }
}
