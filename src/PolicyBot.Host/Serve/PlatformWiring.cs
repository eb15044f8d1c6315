using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Discord;

namespace PolicyBot.Host.Serve;

/// <summary>Adds the Discord adapter to the serve host, with its connection state as a readiness check.</summary>
internal static class PlatformWiring
{
    public static void AddDiscord(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPolicyBotDiscord(configuration);
        services.AddHealthChecks().AddReadiness("discord", sp => sp.GetRequiredService<DiscordConnectionState>().IsConnected);
    }
}
