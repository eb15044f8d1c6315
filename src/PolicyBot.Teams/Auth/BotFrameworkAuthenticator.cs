using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Auth;

/// <summary>Result of authenticating one inbound request.</summary>
internal enum AuthOutcome
{
    /// <summary>Rejected: answer 401 and do nothing else.</summary>
    Rejected,

    /// <summary>A Bot Connector token that passed every check; its serviceUrl may receive the bot's token.</summary>
    Authenticated,

    /// <summary>Dev mode (no app id configured, loopback, no Authorization header).</summary>
    Anonymous,
}

/// <summary>
/// Connector → bot authentication (teams-bot-framework.md §7, §10). Every check must pass; any failure is
/// <see cref="AuthOutcome.Rejected"/>, and the reason goes to the debug log only, never to the caller.
/// </summary>
internal sealed class BotFrameworkAuthenticator
{
    private static readonly string[] AllowedAlgorithms = [SecurityAlgorithms.RsaSha256];

    private readonly SigningKeys _keys;
    private readonly TeamsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BotFrameworkAuthenticator> _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public BotFrameworkAuthenticator(SigningKeys keys, IOptions<TeamsOptions> options, TimeProvider time, ILogger<BotFrameworkAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = keys;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Step 1 only (header shape), so a bad header is rejected before the body is even parsed.</summary>
    public AuthOutcome? PreCheck(IReadOnlyList<string?> authorizationHeaders, IPAddress? remoteAddress)
    {
        if (authorizationHeaders.Count == 0)
        {
            // Dev mode is decided by configuration only, and then only for loopback callers.
            if (_options.AuthDisabled && remoteAddress is not null
                && IPAddress.IsLoopback(remoteAddress.IsIPv4MappedToIPv6 ? remoteAddress.MapToIPv4() : remoteAddress))
            {
                return AuthOutcome.Anonymous;
            }

            return Reject("missing Authorization header");
        }

        if (_options.AuthDisabled)
        {
            // A header in dev mode is never silently ignored, and with no app id it cannot be validated.
            return Reject("Authorization header present but no app id is configured");
        }

        return ExtractBearer(authorizationHeaders) is null ? Reject("Authorization is not a single Bearer token") : null;
    }

    public async Task<AuthOutcome> AuthenticateAsync(IReadOnlyList<string?> authorizationHeaders, IPAddress? remoteAddress, Activity activity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activity);
        if (PreCheck(authorizationHeaders, remoteAddress) is { } early)
        {
            return early;
        }

        var token = ExtractBearer(authorizationHeaders)!;
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return Reject("token does not parse");
        }

        if (!AllowedAlgorithms.Contains(jwt.Alg, StringComparer.Ordinal) || !_keys.Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return Reject("algorithm not allowed");
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return Reject("no kid");
        }

        var key = await _keys.GetKeyAsync(jwt.Kid, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return Reject("unknown kid or signing keys unavailable");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = TeamsOptions.BotConnectorIssuer,
            ValidAudience = _options.AppId,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = false, // JWKs carry no certificate lifetime to check; the signature itself is always verified.
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            ClockSkew = _options.ClockSkew,
            ValidAlgorithms = AllowedAlgorithms,
            IssuerSigningKey = key.Key,
            TryAllIssuerSigningKeys = false,
            LifetimeValidator = ValidateLifetime,
        };

        var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Reject(result.Exception?.GetType().Name ?? "invalid token");
        }

        // serviceurl claim binds the token to the activity's reply address (SDK compares case-insensitively).
        if (!jwt.TryGetPayloadValue<string>("serviceurl", out var serviceUrl)
            || string.IsNullOrEmpty(activity.ServiceUrl)
            || !string.Equals(serviceUrl, activity.ServiceUrl, StringComparison.OrdinalIgnoreCase))
        {
            return Reject("serviceurl claim missing or different from activity.serviceUrl");
        }

        // Endorsement: the signing key must be endorsed for the activity's channel.
        if (string.IsNullOrEmpty(activity.ChannelId) || key.Endorsements is null || !key.Endorsements.Contains(activity.ChannelId))
        {
            return Reject("signing key not endorsed for the channel");
        }

        // Single-tenant hardening: only the configured tenant may talk to the bot.
        if (_options.ParsedAppType == TeamsAppType.SingleTenant
            && !string.Equals(activity.TenantId, _options.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return Reject("tenant not allowed");
        }

        return AuthOutcome.Authenticated;
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf && nbf > now + parameters.ClockSkew)
        {
            return false;
        }

        return expires.Value >= now - parameters.ClockSkew;
    }

    private static string? ExtractBearer(IReadOnlyList<string?> headers)
    {
        if (headers.Count != 1 || headers[0] is not { } value)
        {
            return null;
        }

        var parts = value.Split(' ');
        if (parts.Length != 2 || !string.Equals(parts[0], "Bearer", StringComparison.Ordinal) || parts[1].Length == 0 || parts[1].Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        return parts[1];
    }

    private AuthOutcome Reject(string reason)
    {
        TeamsLog.AuthRejected(_logger, reason);
        return AuthOutcome.Rejected;
    }
}
