using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PolicyBot.Host.Serve;

/// <summary>Adds the Discord adapter to the serve host.</summary>
internal static class PlatformWiring
{
    public static void AddDiscord(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        throw new ServeConfigurationException(["Discord support is not in this build yet."]);
    }
}
