using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace PolicyBot.Teams.Connector;

/// <summary>Supplies the bearer token for Bot Connector calls (null in auth-disabled dev mode).</summary>
internal interface IBotTokenProvider
{
    Task<string?> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
}

/// <summary>The token endpoint refused or failed; a configuration problem, not retried in a loop.</summary>
internal sealed class BotTokenException(string message, HttpStatusCode? status, string? errorCode, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;
}

/// <summary>
/// Client-credentials grant (teams-bot-framework.md §8) through MSAL, as botbuilder's <c>MsalAppCredentials</c> does:
/// tenant <c>botframework.com</c> for MultiTenant apps, the configured tenant for SingleTenant ones, scope
/// <c>https://api.botframework.com/.default</c>. MSAL caches the token and renews it ahead of expiry; the gate here
/// only makes a cold start single-flight (MSAL does not coalesce concurrent requests for the same token).
/// </summary>
internal sealed class MsalBotTokenProvider : IBotTokenProvider, IDisposable
{
    private const string TokenPath = "/oauth2/v2.0/token";

    private readonly TeamsOptions _options;
    private readonly ILogger<MsalBotTokenProvider> _logger;
    private readonly Lazy<IConfidentialClientApplication> _app;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public MsalBotTokenProvider(IHttpClientFactory httpClients, IOptions<TeamsOptions> options, ILogger<MsalBotTokenProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _app = new Lazy<IConfidentialClientApplication>(() => ConfidentialClientApplicationBuilder.Create(_options.AppId)
            .WithClientSecret(_options.AppPassword ?? "")
            .WithAuthority(Authority(_options), validateAuthority: false)
            .WithInstanceDiscovery(false) // the authority is configured exactly; no discovery call to the public cloud
            .WithHttpClientFactory(new MsalHttpClients(httpClients))
            .Build());
    }

    /// <summary>The MSAL authority for the configured token endpoint: <c>https://host/{tenant}</c>.</summary>
    internal static string Authority(TeamsOptions options)
    {
        var endpoint = options.ResolveTokenEndpoint().GetLeftPart(UriPartial.Path);
        if (!endpoint.EndsWith(TokenPath, StringComparison.OrdinalIgnoreCase))
        {
            throw new BotTokenException($"The token endpoint must end with {TokenPath} (an Entra v2 authority); check {options.SettingName(nameof(TeamsOptions.TokenEndpoint))}.", null, null);
        }

        return endpoint[..^TokenPath.Length];
    }

    public async Task<string?> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (_options.AuthDisabled)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await _app.Value.AcquireTokenForClient([TeamsOptions.BotConnectorScope])
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken)
                .ConfigureAwait(false);
            if (result.AuthenticationResultMetadata.TokenSource == TokenSource.IdentityProvider)
            {
                TeamsLog.TokenAcquired(_logger, result.ExpiresOn - DateTimeOffset.UtcNow);
            }

            return result.AccessToken;
        }
        catch (MsalServiceException ex)
        {
            TeamsLog.TokenRequestFailed(_logger, ex.StatusCode, ex.ErrorCode ?? "");
            throw new BotTokenException(
                $"The token endpoint answered {ex.StatusCode} {ex.ErrorCode}: check {string.Join(", ", new[] { nameof(TeamsOptions.AppId), nameof(TeamsOptions.AppPassword), nameof(TeamsOptions.AppType) }.Select(_options.SettingName))} and {_options.SettingName(nameof(TeamsOptions.TenantId))}.",
                ex.StatusCode == 0 ? null : (HttpStatusCode)ex.StatusCode,
                ex.ErrorCode,
                ex);
        }
        catch (MsalClientException ex)
        {
            throw new BotTokenException($"No Bot Connector token could be requested ({ex.ErrorCode}).", null, ex.ErrorCode, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>MSAL's HTTP through the identity client of <c>IHttpClientFactory</c>.</summary>
    private sealed class MsalHttpClients(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(TeamsHttp.Identity);
    }
}
