using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PolicyBot.Teams.Connector;

namespace PolicyBot.Teams.Auth;

/// <summary>A Bot Connector signing key and the channel ids it is endorsed for (null when the JWK has no <c>endorsements</c>).</summary>
internal sealed record EndorsedKey(string KeyId, SecurityKey Key, IReadOnlySet<string>? Endorsements);

/// <summary>
/// The Bot Connector's OpenID metadata and signing keys through IdentityModel's
/// <see cref="ConfigurationManager{T}"/> (periodic refresh, last known good on failure) with
/// <see cref="EndorsementsRetriever"/> keeping each key's endorsements. On top, what the protocol needs and the
/// manager does not give: an unknown <c>kid</c> forces one refresh at most once per
/// <see cref="TeamsOptions.SigningKeyMinRefreshInterval"/>, and while nothing could ever be loaded every lookup
/// fails (fail closed) with a new fetch tried at most once per <see cref="TeamsOptions.MetadataRetryInterval"/>.
/// </summary>
internal sealed class SigningKeys
{
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;
    private readonly TeamsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeys> _logger;
    private readonly Lock _gate = new();
    private OpenIdConnectConfiguration? _seen;
    private DateTimeOffset _lastFailure = DateTimeOffset.MinValue;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;

    static SigningKeys()
    {
        // A refresh the bot asks for (a rotated key on an arriving token) must finish before the lookup it serves:
        // IdentityModel 8 otherwise refreshes in the background and the first message signed by a new key gets 401.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
    }

    public SigningKeys(IHttpClientFactory httpClients, IOptions<TeamsOptions> options, TimeProvider time, ILogger<SigningKeys> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        var documents = new HttpDocumentRetriever(httpClients.CreateClient(TeamsHttp.Identity)) { RequireHttps = true };
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(_options.OpenIdMetadataUrl, new EndorsementsRetriever(), documents)
        {
            AutomaticRefreshInterval = Max(_options.SigningKeyRefreshInterval, BaseConfigurationManager.MinimumAutomaticRefreshInterval),
            RefreshInterval = Max(_options.SigningKeyMinRefreshInterval, BaseConfigurationManager.MinimumRefreshInterval),
        };
    }

    /// <summary>The configuration manager (its refresh intervals are read by tests).</summary>
    internal ConfigurationManager<OpenIdConnectConfiguration> Manager => _manager;

    /// <summary>Algorithms the metadata allows (RS256 when it names none).</summary>
    public IReadOnlyList<string> Algorithms
        => _seen?.IdTokenSigningAlgValuesSupported is { Count: > 0 } algs ? [.. algs] : [SecurityAlgorithms.RsaSha256];

    /// <summary>The key for <paramref name="keyId"/>, or null when it is unknown even after an allowed refresh.</summary>
    public async Task<EndorsedKey?> GetKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var configuration = await TryGetAsync(cancellationToken).ConfigureAwait(false);
        if (configuration is null)
        {
            return null;
        }

        if (Find(configuration, keyId) is { } key)
        {
            return key;
        }

        // Unknown kid: the Connector may have rotated keys. Refresh once, throttled however many requests carry it.
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _lastForcedRefresh < _options.SigningKeyMinRefreshInterval)
            {
                return null;
            }

            _lastForcedRefresh = now;
        }

        _manager.RequestRefresh();
        configuration = await TryGetAsync(cancellationToken).ConfigureAwait(false);
        return configuration is null ? null : Find(configuration, keyId);
    }

    private async Task<OpenIdConnectConfiguration?> TryGetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_seen is null && _time.GetUtcNow() - _lastFailure < _options.MetadataRetryInterval)
            {
                return null; // nothing loaded yet and the last try just failed: not on every request
            }
        }

        try
        {
            var configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(Interlocked.Exchange(ref _seen, configuration), configuration))
            {
                TeamsLog.SigningKeysLoaded(_logger, configuration.JsonWebKeySet?.Keys.Count ?? 0);
            }

            return configuration;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning disable CA1031 // Any failure to load keys must fail closed (401), never crash the request with a 500.
        {
            lock (_gate)
            {
                _lastFailure = _time.GetUtcNow();
            }

            TeamsLog.SigningKeysUnavailable(_logger, ex);
            return null;
        }
#pragma warning restore CA1031
    }

    private static EndorsedKey? Find(OpenIdConnectConfiguration configuration, string keyId)
    {
        var jwk = configuration.JsonWebKeySet?.Keys.FirstOrDefault(k => string.Equals(k.Kid, keyId, StringComparison.Ordinal) && string.Equals(k.Kty, "RSA", StringComparison.Ordinal));
        return jwk is null ? null : new EndorsedKey(jwk.Kid, jwk, EndorsementsRetriever.EndorsementsOf(jwk));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>
/// Reads the OpenID metadata and its JWKS, keeping each key's <c>endorsements</c> (the channel ids it may sign for),
/// which the Bot Framework adds to standard JWKs — as botbuilder's <c>EndorsementsRetriever</c> does, but returning
/// the standard configuration with the endorsements on its keys.
/// </summary>
internal sealed class EndorsementsRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    private const string EndorsementsProperty = "endorsements";

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        var configuration = OpenIdConnectConfiguration.Create(await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false));
        if (string.IsNullOrEmpty(configuration.JwksUri))
        {
            throw new InvalidOperationException("The OpenID metadata has no jwks_uri.");
        }

        var jwks = await retriever.GetDocumentAsync(configuration.JwksUri, cancel).ConfigureAwait(false);
        configuration.JsonWebKeySet = new JsonWebKeySet(jwks);
        var endorsements = ReadEndorsements(jwks);
        foreach (var key in configuration.JsonWebKeySet.Keys)
        {
            key.AdditionalData.Remove(EndorsementsProperty);
            if (key.Kid is not null && endorsements.TryGetValue(key.Kid, out var ids))
            {
                key.AdditionalData[EndorsementsProperty] = ids;
            }
        }

        foreach (var key in configuration.JsonWebKeySet.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }

    /// <summary>The endorsements this retriever put on <paramref name="key"/>; null when the JWK had none.</summary>
    public static IReadOnlySet<string>? EndorsementsOf(JsonWebKey key)
        => key.AdditionalData.TryGetValue(EndorsementsProperty, out var value) && value is HashSet<string> ids ? ids : null;

    private static Dictionary<string, HashSet<string>> ReadEndorsements(string jwks)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(jwks);
        if (!document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var key in keys.EnumerateArray())
        {
            if (key.ValueKind == JsonValueKind.Object
                && key.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String
                && key.TryGetProperty(EndorsementsProperty, out var e) && e.ValueKind == JsonValueKind.Array)
            {
                result[kid.GetString()!] = new HashSet<string>(e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!), StringComparer.Ordinal);
            }
        }

        return result;
    }
}
