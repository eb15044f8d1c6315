using System.Net;
using Microsoft.Extensions.Configuration;

namespace PolicyBot.Teams;

/// <summary>How the bot's Entra app registration is set up.</summary>
public enum TeamsAppType
{
    /// <summary>Outbound tokens come from the <c>botframework.com</c> tenant (deprecated for new bots after July 2025).</summary>
    MultiTenant,

    /// <summary>Outbound tokens come from the bot's own tenant (<c>TEAMS_TENANT_ID</c>).</summary>
    SingleTenant,
}

/// <summary>
/// Teams adapter settings. The environment/.env names are fixed (<c>TEAMS_APP_ID</c>, …); the tunables below them
/// are code-level settings with production defaults that tests shorten.
/// </summary>
public sealed class TeamsOptions
{
    public const string DefaultOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    public const string DefaultHttpUrl = "http://0.0.0.0:3978";
    public const string BotConnectorIssuer = "https://api.botframework.com";
    public const string BotConnectorScope = "https://api.botframework.com/.default";

    /// <summary><c>TEAMS_APP_ID</c>: the Microsoft App ID. Empty means auth-disabled dev mode (loopback only).</summary>
    public string? AppId { get; set; }

    /// <summary><c>TEAMS_APP_PASSWORD</c>: the client secret. Never logged.</summary>
    public string? AppPassword { get; set; }

    /// <summary><c>TEAMS_TENANT_ID</c>: required for <see cref="TeamsAppType.SingleTenant"/>.</summary>
    public string? TenantId { get; set; }

    /// <summary>How long questions are kept (<c>POLICYBOT_AUDIT_DAYS</c>), for the notice in the welcome.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary><c>TEAMS_APP_TYPE</c>: <c>SingleTenant</c> or <c>MultiTenant</c> (default MultiTenant).</summary>
    public string AppType { get; set; } = nameof(TeamsAppType.MultiTenant);

    /// <summary><c>TEAMS_OPENID_METADATA_URL</c>.</summary>
    public string OpenIdMetadataUrl { get; set; } = DefaultOpenIdMetadataUrl;

    /// <summary><c>TEAMS_TOKEN_ENDPOINT</c>: full token URL; <c>{tenant}</c> is replaced by the tenant for the app type.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary><c>POLICYBOT_HTTP_URL</c>: where the host listens.</summary>
    public string HttpUrl { get; set; } = DefaultHttpUrl;

    /// <summary>Text budget per outbound message, in UTF-16 code units (Teams' smallest documented limit is ~28 KB).</summary>
    public int MaxMessageChars { get; set; } = 28_000;

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Signing keys are refetched at least this often (the docs ask for at least every 24 h).</summary>
    public TimeSpan SigningKeyRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Minimum time between forced refreshes caused by an unknown <c>kid</c>.</summary>
    public TimeSpan SigningKeyMinRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>While no keys could be loaded at all, a fetch is retried at most this often.</summary>
    public TimeSpan MetadataRetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Outbound tokens are renewed when less than this remains (capped at half the token's lifetime).</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    public int MaxSendAttempts { get; set; } = 5;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Backoff cap; a <c>Retry-After</c> longer than this gives up instead of retrying early.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(3);

    public int QueueCapacity { get; set; } = 256;

    public int Workers { get; set; } = 4;

    /// <summary>Largest accepted inbound body.</summary>
    public int MaxRequestBytes { get; set; } = 256 * 1024;

    public bool AuthDisabled => string.IsNullOrWhiteSpace(AppId);

    public TeamsAppType ParsedAppType =>
        Enum.TryParse<TeamsAppType>(AppType, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : TeamsAppType.MultiTenant;

    /// <summary>The Entra tenant outbound tokens are requested from.</summary>
    public string TokenTenant => ParsedAppType == TeamsAppType.SingleTenant ? TenantId ?? "" : "botframework.com";

    /// <summary>The token endpoint for the configured app type.</summary>
    public Uri ResolveTokenEndpoint()
    {
        var template = string.IsNullOrWhiteSpace(TokenEndpoint)
            ? "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
            : TokenEndpoint;
        return new Uri(template.Replace("{tenant}", Uri.EscapeDataString(TokenTenant), StringComparison.Ordinal), UriKind.Absolute);
    }

    /// <summary>Copies the fixed configuration names into <paramref name="options"/>.</summary>
    public static void Bind(IConfiguration configuration, TeamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        options.AppId = Value(configuration, "TEAMS_APP_ID") ?? options.AppId;
        options.AppPassword = Value(configuration, "TEAMS_APP_PASSWORD") ?? options.AppPassword;
        options.TenantId = Value(configuration, "TEAMS_TENANT_ID") ?? options.TenantId;
        options.AuditRetention = PolicyBot.Core.Commands.PrivacyNotice.RetentionFrom(Value(configuration, "POLICYBOT_AUDIT_DAYS"));
        options.AppType = Value(configuration, "TEAMS_APP_TYPE") ?? options.AppType;
        options.OpenIdMetadataUrl = Value(configuration, "TEAMS_OPENID_METADATA_URL") ?? options.OpenIdMetadataUrl;
        options.TokenEndpoint = Value(configuration, "TEAMS_TOKEN_ENDPOINT") ?? options.TokenEndpoint;
        options.HttpUrl = Value(configuration, "POLICYBOT_HTTP_URL") ?? options.HttpUrl;
    }

    private static string? Value(IConfiguration c, string key)
    {
        var v = c[key];
        return string.IsNullOrWhiteSpace(v) ? null : v.Trim();
    }

    /// <summary>Start-up checks; returns the problems (empty when valid). Secrets are never echoed.</summary>
    public IReadOnlyList<string> Validate(bool isProduction)
    {
        var errors = new List<string>();
        if (!Enum.TryParse<TeamsAppType>(AppType, ignoreCase: true, out var type) || !Enum.IsDefined(type))
        {
            errors.Add("TEAMS_APP_TYPE must be SingleTenant or MultiTenant.");
        }
        else if (type == TeamsAppType.SingleTenant && string.IsNullOrWhiteSpace(TenantId))
        {
            errors.Add("TEAMS_TENANT_ID is required when TEAMS_APP_TYPE is SingleTenant.");
        }

        if (!Uri.TryCreate(OpenIdMetadataUrl, UriKind.Absolute, out _))
        {
            errors.Add("TEAMS_OPENID_METADATA_URL is not an absolute URL.");
        }

        if (!string.IsNullOrWhiteSpace(TokenEndpoint) && !Uri.TryCreate(TokenEndpoint, UriKind.Absolute, out _))
        {
            errors.Add("TEAMS_TOKEN_ENDPOINT is not an absolute URL.");
        }

        if (AuthDisabled)
        {
            if (isProduction)
            {
                errors.Add("TEAMS_APP_ID is not set: auth-disabled dev mode is refused in the Production environment.");
            }

            if (!IsLoopbackUrl(HttpUrl))
            {
                errors.Add("TEAMS_APP_ID is not set: auth-disabled dev mode only listens on loopback (POLICYBOT_HTTP_URL must be 127.0.0.1, ::1 or localhost).");
            }
        }
        else if (string.IsNullOrWhiteSpace(AppPassword))
        {
            errors.Add("TEAMS_APP_PASSWORD is required when TEAMS_APP_ID is set.");
        }

        return errors;
    }

    internal static bool IsLoopbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
