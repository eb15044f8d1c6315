using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyBot.Testing.Http;

/// <summary>
/// Real HTTP on loopback for the fakes and the hosts under test: Kestrel on 127.0.0.1 with an OS-chosen port, and
/// the base URL it actually bound.
/// </summary>
public static class Loopback
{
    /// <summary>A slim web application builder that listens on 127.0.0.1, port 0, with no log providers.</summary>
    public static WebApplicationBuilder CreateBuilder(WebApplicationOptions? options = null, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? listen = null)
    {
        var builder = options is null ? WebApplication.CreateSlimBuilder() : WebApplication.CreateSlimBuilder(options);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => listen?.Invoke(l)));
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> and returns the base URL it bound (no trailing slash).</summary>
    public static async Task<string> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync().ConfigureAwait(false);
        return BaseUrl(app);
    }

    /// <summary>The first address a started app bound, without a trailing slash ("http://127.0.0.1:41234").</summary>
    public static string BaseUrl(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    /// <summary>A loopback TCP port free right now (for a child process that must be told its port up front).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
