using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace PolicyBot.Teams.Auth;

/// <summary>A Bot Connector signing key and the channel ids it is endorsed for (null when the JWK has no <c>endorsements</c>).</summary>
internal sealed record EndorsedKey(string KeyId, SecurityKey Key, IReadOnlySet<string>? Endorsements);

/// <summary>
/// The Bot Connector's OpenID metadata + JWKS, cached. Refreshed periodically, and on an unknown <c>kid</c> at most once
/// per <see cref="TeamsOptions.SigningKeyMinRefreshInterval"/> (single-flight). When nothing could ever be loaded,
/// every lookup fails (fail closed) and a new fetch is tried at most once per <see cref="TeamsOptions.MetadataRetryInterval"/>.
/// </summary>
internal sealed class SigningKeyCache : IDisposable
{
    private readonly HttpClient _http;
    private readonly TeamsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SigningKeyCache> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySnapshot? _current;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;

    public SigningKeyCache(HttpClient http, IOptions<TeamsOptions> options, TimeProvider time, ILogger<SigningKeyCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private sealed record KeySnapshot(IReadOnlyDictionary<string, EndorsedKey> Keys, IReadOnlyList<string> Algorithms, DateTimeOffset FetchedAt);

    /// <summary>The key for <paramref name="keyId"/>, or null when it is unknown even after an allowed refresh.</summary>
    public async Task<EndorsedKey?> GetKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var snapshot = _current;
        var now = _time.GetUtcNow();
        if (snapshot is null || now - snapshot.FetchedAt >= _options.SigningKeyRefreshInterval)
        {
            snapshot = await RefreshAsync(snapshot, forced: false, cancellationToken).ConfigureAwait(false) ?? snapshot;
        }

        if (snapshot is null)
        {
            return null;
        }

        if (snapshot.Keys.TryGetValue(keyId, out var key))
        {
            return key;
        }

        // Unknown kid: the Connector may have rotated keys. Refresh once, throttled.
        var refreshed = await RefreshAsync(snapshot, forced: true, cancellationToken).ConfigureAwait(false);
        return refreshed is not null && refreshed.Keys.TryGetValue(keyId, out key) ? key : null;
    }

    /// <summary>Algorithms the metadata allows (RS256 when it names none).</summary>
    public IReadOnlyList<string> Algorithms => _current?.Algorithms ?? ["RS256"];

    private async Task<KeySnapshot?> RefreshAsync(KeySnapshot? seen, bool forced, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else refreshed while we waited.
            if (!ReferenceEquals(_current, seen))
            {
                return _current;
            }

            var now = _time.GetUtcNow();
            if (_current is null)
            {
                // Nothing loaded yet (issuer down at start): retry, but not on every request.
                if (now - _lastAttempt < _options.MetadataRetryInterval)
                {
                    return null;
                }
            }
            else if (forced)
            {
                // Unknown kid: at most one forced refresh per interval, however many requests carry it.
                if (now - _lastForcedRefresh < _options.SigningKeyMinRefreshInterval)
                {
                    return null;
                }

                _lastForcedRefresh = now;
            }
            else if (now - _current.FetchedAt < _options.SigningKeyRefreshInterval || now - _lastAttempt < _options.MetadataRetryInterval)
            {
                return null;
            }

            _lastAttempt = now;
            try
            {
                var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
                _current = fresh;
                TeamsLog.SigningKeysLoaded(_logger, fresh.Keys.Count);
                return fresh;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning disable CA1031 // Any failure to load keys must fail closed (401), never crash the request with a 500.
            {
                TeamsLog.SigningKeysUnavailable(_logger, ex);
                return null;
            }
#pragma warning restore CA1031
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<KeySnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var metadataJson = await GetStringAsync(new Uri(_options.OpenIdMetadataUrl), timeout.Token).ConfigureAwait(false);
        using var metadata = JsonDocument.Parse(metadataJson);
        var jwksUri = metadata.RootElement.GetProperty("jwks_uri").GetString()
            ?? throw new InvalidOperationException("OpenID metadata has no jwks_uri.");
        var algorithms = new List<string>();
        if (metadata.RootElement.TryGetProperty("id_token_signing_alg_values_supported", out var algs) && algs.ValueKind == JsonValueKind.Array)
        {
            algorithms.AddRange(algs.EnumerateArray().Select(a => a.GetString()).OfType<string>());
        }

        if (algorithms.Count == 0)
        {
            algorithms.Add(SecurityAlgorithms.RsaSha256);
        }

        var jwksJson = await GetStringAsync(new Uri(jwksUri, UriKind.Absolute), timeout.Token).ConfigureAwait(false);
        using var jwks = JsonDocument.Parse(jwksJson);
        var keys = new Dictionary<string, EndorsedKey>(StringComparer.Ordinal);
        foreach (var element in jwks.RootElement.GetProperty("keys").EnumerateArray())
        {
            var jwk = new JsonWebKey(element.GetRawText());
            if (string.IsNullOrEmpty(jwk.Kid) || !string.Equals(jwk.Kty, "RSA", StringComparison.Ordinal))
            {
                continue;
            }

            HashSet<string>? endorsements = null;
            if (element.TryGetProperty("endorsements", out var e) && e.ValueKind == JsonValueKind.Array)
            {
                endorsements = new HashSet<string>(e.EnumerateArray().Select(x => x.GetString()).OfType<string>(), StringComparer.Ordinal);
            }

            keys[jwk.Kid] = new EndorsedKey(jwk.Kid, jwk, endorsements);
        }

        return new KeySnapshot(keys, algorithms, _time.GetUtcNow());
    }

    private async Task<string> GetStringAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _gate.Dispose();
}
