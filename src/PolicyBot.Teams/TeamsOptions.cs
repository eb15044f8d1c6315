using System.Net;

namespace PolicyBot.Teams;

/// <summary>How the bot's Entra app registration is set up.</summary>
public enum TeamsAppType
{
    /// <summary>Outbound tokens come from the <c>botframework.com</c> tenant (deprecated for new bots after July 2025).</summary>
    MultiTenant,

    /// <summary>Outbound tokens come from the bot's own tenant (<see cref="TeamsOptions.TenantId"/>).</summary>
    SingleTenant,
}

/// <summary>
/// Teams adapter settings, bound by the host from its Teams section; the tunables below the operator settings are
/// code-level settings with production defaults that tests shorten.
/// </summary>
public sealed class TeamsOptions
{
    public const string DefaultOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    public const string DefaultHttpUrl = "http://0.0.0.0:3978";
    public const string BotConnectorIssuer = "https://api.botframework.com";
    public const string BotConnectorScope = "https://api.botframework.com/.default";

    /// <summary>The Microsoft App ID. Empty needs <see cref="LocalMode"/> (auth disabled, loopback only).</summary>
    public string? AppId { get; set; }

    /// <summary>
    /// How an operator message names one of these options (by property name, e.g. <c>nameof(AppId)</c>): the host,
    /// which alone knows its configuration keys, maps it to the key the operator sets; on its own the library names
    /// the typed option (<c>TeamsOptions.AppId</c>). Not bound from configuration.
    /// </summary>
    public Func<string, string> SettingName { get; set; } = static property => nameof(TeamsOptions) + "." + property;

    /// <summary>
    /// The explicit switch for running without an app id: unauthenticated requests are accepted, from loopback only
    /// (development with the Bot Framework Emulator). Refused with an app id, or on a non-loopback listener.
    /// </summary>
    public bool LocalMode { get; set; }

    /// <summary>The client secret. Never logged.</summary>
    public string? AppPassword { get; set; }

    /// <summary>The Entra tenant: required for <see cref="TeamsAppType.SingleTenant"/>.</summary>
    public string? TenantId { get; set; }

    /// <summary>How long questions are kept (the audit retention), for the notice in the welcome.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary><c>SingleTenant</c> or <c>MultiTenant</c> (default MultiTenant).</summary>
    public string AppType { get; set; } = nameof(TeamsAppType.MultiTenant);

    /// <summary>Where the OpenID metadata (signing keys) is read.</summary>
    public string OpenIdMetadataUrl { get; set; } = DefaultOpenIdMetadataUrl;

    /// <summary>The full token URL; <c>{tenant}</c> is replaced by the tenant for the app type.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>Where the host listens (for the loopback check).</summary>
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

    /// <summary>
    /// Start-up checks; the problems (empty when valid) name each property in braces (<c>{AppId}</c>), which the host
    /// replaces with its setting name. Secrets are never echoed.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.TryParse<TeamsAppType>(AppType, ignoreCase: true, out var type) || !Enum.IsDefined(type))
        {
            errors.Add("{AppType} must be SingleTenant or MultiTenant.");
        }
        else if (!AuthDisabled && type == TeamsAppType.SingleTenant && string.IsNullOrWhiteSpace(TenantId))
        {
            errors.Add("{TenantId} is required when {AppType} is SingleTenant.");
        }

        if (!Uri.TryCreate(OpenIdMetadataUrl, UriKind.Absolute, out _))
        {
            errors.Add("{OpenIdMetadataUrl} is not an absolute URL.");
        }

        if (!string.IsNullOrWhiteSpace(TokenEndpoint) && !Uri.TryCreate(TokenEndpoint, UriKind.Absolute, out _))
        {
            errors.Add("{TokenEndpoint} is not an absolute URL.");
        }

        if (AuthDisabled)
        {
            if (!LocalMode)
            {
                errors.Add(
                    "{AppId} is not set: set {AppId} and {AppPassword} (and {TenantId} for a SingleTenant bot) from the Azure Bot registration, " +
                    "or set {LocalMode}=true to accept unauthenticated requests from loopback only (Bot Framework Emulator).");
            }
            else if (!IsLoopbackUrl(HttpUrl))
            {
                errors.Add("{LocalMode}=true only listens on loopback: {HttpUrl} must use 127.0.0.1, ::1 or localhost.");
            }
        }
        else
        {
            if (LocalMode)
            {
                errors.Add("{LocalMode}=true is for running without {AppId}; unset one of them.");
            }

            if (string.IsNullOrWhiteSpace(AppPassword))
            {
                errors.Add("{AppPassword} is required when {AppId} is set.");
            }
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
