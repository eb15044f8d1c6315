using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PolicyBot.Teams.Connector;

/// <summary>Supplies the bearer token for Bot Connector calls (null in auth-disabled dev mode).</summary>
internal interface IBotTokenProvider
{
    Task<string?> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
}

/// <summary>The token endpoint refused or failed; a configuration problem, not retried in a loop.</summary>
internal sealed class BotTokenException(string message, HttpStatusCode? status, string? errorCode) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;
}

/// <summary>
/// Client-credentials grant (teams-bot-framework.md §8) as a plain form post to the Entra v2 token endpoint:
/// tenant <c>botframework.com</c> for MultiTenant apps, the configured tenant for SingleTenant ones. The token is
/// cached until shortly before expiry, and acquisition is single-flight.
/// </summary>
internal sealed class EntraBotTokenProvider : IBotTokenProvider, IDisposable
{
    private readonly HttpClient _http;
    private readonly TeamsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EntraBotTokenProvider> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CachedToken? _cached;

    public EntraBotTokenProvider(HttpClient http, IOptions<TeamsOptions> options, TimeProvider time, ILogger<EntraBotTokenProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private sealed record CachedToken(string Value, DateTimeOffset RenewAt);

    public async Task<string?> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (_options.AuthDisabled)
        {
            return null;
        }

        var seen = _cached;
        if (!forceRefresh && seen is not null && _time.GetUtcNow() < seen.RenewAt)
        {
            return seen.Value;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _cached;
            if (current is not null && _time.GetUtcNow() < current.RenewAt && (!forceRefresh || !ReferenceEquals(current, seen)))
            {
                return current.Value;
            }

            var fresh = await AcquireAsync(cancellationToken).ConfigureAwait(false);
            _cached = fresh;
            return fresh.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CachedToken> AcquireAsync(CancellationToken cancellationToken)
    {
        var endpoint = _options.ResolveTokenEndpoint();
        using var form = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", _options.AppId!),
            new("client_secret", _options.AppPassword ?? ""),
            new("scope", TeamsOptions.BotConnectorScope),
        ]);
        var requestedAt = _time.GetUtcNow();
        using var response = await _http.PostAsync(endpoint, form, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string? code = null;
            try
            {
                using var doc = JsonDocument.Parse(body);
                code = doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            }
            catch (JsonException)
            {
                // Non-JSON error page: the status says enough.
            }

            TeamsLog.TokenRequestFailed(_logger, (int)response.StatusCode, code ?? "");
            throw new BotTokenException(
                $"The token endpoint answered {(int)response.StatusCode} {code}: check TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_APP_TYPE and TEAMS_TENANT_ID.",
                response.StatusCode,
                code);
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var token = root.TryGetProperty("access_token", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw new BotTokenException("The token endpoint returned no access_token.", response.StatusCode, null);
        }

        var lifetime = TimeSpan.FromSeconds(root.TryGetProperty("expires_in", out var e2) ? ReadSeconds(e2) : 3600);
        var margin = TimeSpan.FromTicks(Math.Min(_options.TokenRefreshMargin.Ticks, lifetime.Ticks / 2));
        TeamsLog.TokenAcquired(_logger, lifetime);
        return new CachedToken(token, requestedAt + lifetime - margin);
    }

    private static double ReadSeconds(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => 3600,
    };

    public void Dispose() => _gate.Dispose();
}
