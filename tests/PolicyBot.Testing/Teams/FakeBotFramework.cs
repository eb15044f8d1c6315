using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Testing.Http;
using PolicyBot.Testing.Time;

namespace PolicyBot.Testing.Teams;

/// <summary>What the bot posted to the fake Connector.</summary>
public sealed record ConnectorCall(
    string RawTarget,
    string ConversationId,
    string? ActivityId,
    string? Authorization,
    JsonObject Body,
    int Status,
    DateTimeOffset At)
{
    public string? Type => Body["type"]?.GetValue<string>();

    public string? Text => Body["text"]?.GetValue<string>();
}

/// <summary>A scripted failure the Connector returns before behaving normally.</summary>
public sealed record ScriptedResponse(int Status, string? Code = null, string? RetryAfter = null);

/// <summary>
/// One loopback Kestrel app, on HTTPS with the test CA, playing the Bot Framework: OpenID issuer (metadata + JWKS with endorsements, rotation,
/// fetch counters, 500 mode), Entra-style token endpoint, and a Connector that checks bearer and JSON shape and records.
/// </summary>
public sealed partial class FakeBotFramework : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ManualClock _clock;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issuedTokens = new();
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly List<ConnectorCall> _calls = [];
    private readonly List<DateTimeOffset> _sendTimes = [];
    private int _nextId;

    private FakeBotFramework(WebApplication app, ManualClock clock)
    {
        _app = app;
        _clock = clock;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>serviceUrl for activities (ends with '/', like the real one).</summary>
    public string ServiceUrl => BaseUrl + "/amer/";

    public string MetadataUrl => BaseUrl + "/v1/.well-known/openidconfiguration";

    public string TokenEndpointTemplate => BaseUrl + "/{tenant}/oauth2/v2.0/token";

    public List<FakeSigningKey> Keys { get; } = [];

    public int MetadataFetches;
    public int KeysFetches;
    public int TokenCalls;

    public bool IssuerDown { get; set; }

    public string ExpectedClientId { get; set; } = "";

    public string ExpectedClientSecret { get; set; } = "";

    public int TokenExpiresIn { get; set; } = 3600;

    /// <summary>When set, the token endpoint answers with this status and <c>{"error": code}</c>.</summary>
    public (int Status, string Code)? TokenFailure { get; set; }

    public bool RequireBearer { get; set; } = true;

    /// <summary>Connector 413 above this many text characters.</summary>
    public int MaxTextChars { get; set; } = int.MaxValue;

    /// <summary>Enforce the per-conversation 7/1 s, 8/2 s limiter.</summary>
    public bool EnforceRateLimit { get; set; }

    public bool SawExpiredToken { get; private set; }

    public ConcurrentQueue<(string Tenant, Dictionary<string, string> Form)> TokenRequests { get; } = new();

    public ConcurrentQueue<string> ShapeErrors { get; } = new();

    public IReadOnlyList<ConnectorCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
            }
        }
    }

    public IReadOnlyList<ConnectorCall> Delivered => Calls.Where(c => c.Status is >= 200 and < 300).ToList();

    public IReadOnlyList<ConnectorCall> DeliveredMessages => Delivered.Where(c => c.Type == "message").ToList();

    public void Script(params ScriptedResponse[] responses)
    {
        foreach (var r in responses)
        {
            _script.Enqueue(r);
        }
    }

    public FakeSigningKey AddKey(string kid, params string[]? endorsements)
    {
        var key = new FakeSigningKey(kid, endorsements);
        lock (Keys)
        {
            Keys.Add(key);
        }

        return key;
    }

    public static async Task<FakeBotFramework> StartAsync(ManualClock clock)
    {
        var builder = Loopback.CreateBuilder(listen: listen => listen.UseHttps(TestCertificateAuthority.Server));
        builder.WebHost.UseKestrelHttpsConfiguration();
        var app = builder.Build();
        var fake = new FakeBotFramework(app, clock);
        fake.Map(app);
        fake.BaseUrl = await Loopback.StartAsync(app);
        return fake;
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for the delivered calls.</summary>
    public async Task<IReadOnlyList<ConnectorCall>> WaitForAsync(Func<IReadOnlyList<ConnectorCall>, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var delivered = Delivered;
            if (predicate(delivered))
            {
                return delivered;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Connector condition not met; calls: {string.Join(", ", Calls.Select(c => $"{c.Status} {c.Type} {c.RawTarget} {c.Text}"))}; shape errors: {string.Join(" | ", ShapeErrors)}");
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/v1/.well-known/openidconfiguration", (HttpContext ctx) =>
        {
            Interlocked.Increment(ref MetadataFetches);
            if (IssuerDown)
            {
                return Results.StatusCode(500);
            }

            return Results.Json(new JsonObject
            {
                ["issuer"] = "https://api.botframework.com",
                ["authorization_endpoint"] = "https://invalid.botframework.com",
                ["jwks_uri"] = BaseUrl + "/v1/.well-known/keys",
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
            });
        });
        app.MapGet("/v1/.well-known/keys", () =>
        {
            Interlocked.Increment(ref KeysFetches);
            if (IssuerDown)
            {
                return Results.StatusCode(500);
            }

            lock (Keys)
            {
                return Results.Json(new JsonObject { ["keys"] = new JsonArray(Keys.Select(k => (JsonNode?)k.ToJwk()).ToArray()) });
            }
        });
        app.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpContext ctx) =>
        {
            Interlocked.Increment(ref TokenCalls);
            var form = (await ctx.Request.ReadFormAsync()).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
            TokenRequests.Enqueue((tenant, form));
            if (TokenFailure is { } failure)
            {
                return Results.Json(new JsonObject { ["error"] = failure.Code, ["error_description"] = "fake failure" }, statusCode: failure.Status);
            }

            if (form.GetValueOrDefault("grant_type") != "client_credentials" || form.GetValueOrDefault("client_id") != ExpectedClientId
                || form.GetValueOrDefault("client_secret") != ExpectedClientSecret || form.GetValueOrDefault("scope") != "https://api.botframework.com/.default")
            {
                return Results.Json(new JsonObject { ["error"] = "invalid_client" }, statusCode: 401);
            }

            var token = "fake-aad-" + Guid.NewGuid().ToString("N");
            _issuedTokens[token] = _clock.GetUtcNow().AddSeconds(TokenExpiresIn);
            return Results.Json(new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = TokenExpiresIn, ["ext_expires_in"] = TokenExpiresIn, ["access_token"] = token });
        });
        app.MapPost("/amer/v3/conversations/{conversationId}/activities/{activityId?}", ConnectorAsync);
    }

    private async Task ConnectorAsync(HttpContext ctx)
    {
        var raw = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var segments = raw.Split('?')[0].Split('/');
        var conversationId = Uri.UnescapeDataString(segments[4]);
        var activityId = segments.Length > 6 ? Uri.UnescapeDataString(segments[6]) : null;
        var authorization = ctx.Request.Headers.Authorization.ToString();
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(ctx.Request.Body))!.AsObject();
        }
        catch (JsonException)
        {
            await Respond(ctx, 400, "BadArgument", raw, conversationId, activityId, authorization, new JsonObject());
            return;
        }

        if (RequireBearer)
        {
            var ok = authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                && _issuedTokens.TryGetValue(authorization["Bearer ".Length..], out var expiry);
            if (ok && _issuedTokens[authorization["Bearer ".Length..]] <= _clock.GetUtcNow())
            {
                SawExpiredToken = true;
                ok = false;
            }

            if (!ok)
            {
                await Respond(ctx, 401, "BotNotRegistered", raw, conversationId, activityId, authorization, body);
                return;
            }
        }
        else if (!string.IsNullOrEmpty(authorization))
        {
            ShapeErrors.Enqueue("Authorization sent although the bot has no credentials");
        }

        if (body["type"]?.GetValue<string>() != "typing" && _script.TryDequeue(out var scripted))
        {
            if (scripted.RetryAfter is not null)
            {
                ctx.Response.Headers.RetryAfter = scripted.RetryAfter;
            }

            await Respond(ctx, scripted.Status, scripted.Code, raw, conversationId, activityId, authorization, body);
            return;
        }

        var shape = ValidateShape(body, conversationId);
        if (shape is not null)
        {
            ShapeErrors.Enqueue(shape);
            await Respond(ctx, 400, "BadArgument", raw, conversationId, activityId, authorization, body);
            return;
        }

        if ((body["text"]?.GetValue<string>()?.Length ?? 0) > MaxTextChars)
        {
            await Respond(ctx, 413, "MessageSizeTooBig", raw, conversationId, activityId, authorization, body);
            return;
        }

        if (EnforceRateLimit)
        {
            lock (_sendTimes)
            {
                var now = DateTimeOffset.UtcNow;
                if (_sendTimes.Count(t => now - t < TimeSpan.FromSeconds(1)) >= 7 || _sendTimes.Count(t => now - t < TimeSpan.FromSeconds(2)) >= 8)
                {
                    ctx.Response.Headers.RetryAfter = "1";
                    ctx.Response.StatusCode = 429;
                }
                else
                {
                    _sendTimes.Add(now);
                }
            }

            if (ctx.Response.StatusCode == 429)
            {
                await Respond(ctx, 429, "Throttled", raw, conversationId, activityId, authorization, body);
                return;
            }
        }

        await Respond(ctx, 200, null, raw, conversationId, activityId, authorization, body);
    }

    private async Task Respond(HttpContext ctx, int status, string? code, string raw, string conversationId, string? activityId, string? authorization, JsonObject body)
    {
        lock (_calls)
        {
            _calls.Add(new ConnectorCall(raw, conversationId, activityId, string.IsNullOrEmpty(authorization) ? null : authorization, body, status, DateTimeOffset.UtcNow));
        }

        ctx.Response.StatusCode = status;
        ctx.Response.Headers["X-Correlating-OperationId"] = Guid.NewGuid().ToString("N");
        if (status is >= 200 and < 300)
        {
            await ctx.Response.WriteAsJsonAsync(new JsonObject { ["id"] = "bot-msg-" + Interlocked.Increment(ref _nextId) });
        }
        else
        {
            await ctx.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = code ?? "Error", ["message"] = "fake" } });
        }
    }

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Marker();

    /// <summary>Teams rules for an outbound activity (teams-bot-framework.md §4, §9; TX-16/17). Null when fine.</summary>
    public static string? ValidateShape(JsonObject body, string pathConversationId)
    {
        var type = body["type"]?.GetValue<string>();
        if (type is not ("message" or "typing"))
        {
            return $"unexpected type {type}";
        }

        foreach (var forbidden in new[] { "id", "serviceUrl", "timestamp" })
        {
            if (body.ContainsKey(forbidden))
            {
                return $"bot must not set {forbidden}";
            }
        }

        if (body["conversation"]?["id"]?.GetValue<string>() != pathConversationId)
        {
            return "conversation.id differs from the path";
        }

        if (body["conversation"]?["isGroup"] is not null || body["conversation"]?["conversationType"] is not null)
        {
            return "bot must not set conversation.isGroup/conversationType";
        }

        if (body["from"]?["id"] is null || body["recipient"]?["id"] is null)
        {
            return "from/recipient missing";
        }

        var text = body["text"]?.GetValue<string>();
        var attachments = body["attachments"] as JsonArray;
        if (!string.IsNullOrEmpty(text) && attachments is { Count: > 0 })
        {
            return "text and card mixed in one activity";
        }

        foreach (var a in attachments ?? [])
        {
            if (a?["contentType"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive")
            {
                var version = a["content"]?["version"]?.GetValue<string>();
                if (a["content"]?["type"]?.GetValue<string>() != "AdaptiveCard" || version is null || Version.Parse(version) > new Version(1, 5))
                {
                    return "adaptive card must be version <= 1.5";
                }
            }
        }

        var messageEntities = (body["entities"] as JsonArray ?? []).Where(e => e?["type"]?.GetValue<string>() == "https://schema.org/Message").ToList();
        if (messageEntities.Count > 1)
        {
            return "multiple root message entities";
        }

        if (messageEntities.Count == 1)
        {
            var entity = messageEntities[0]!;
            if (entity["@type"]?.GetValue<string>() != "Message" || entity["@context"]?.GetValue<string>() != "https://schema.org")
            {
                return "message entity @type/@context";
            }

            var citations = entity["citation"] as JsonArray ?? [];
            if (citations.Count > 20)
            {
                return "more than 20 citations";
            }

            var markers = Marker().Matches(text ?? "").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            var positions = new HashSet<int>();
            foreach (var c in citations)
            {
                if (c?["@type"]?.GetValue<string>() != "Claim" || c["position"] is null)
                {
                    return "citation must be a Claim with a position";
                }

                positions.Add(c["position"]!.GetValue<int>());
                var appearance = c["appearance"] as JsonObject;
                if (appearance is null || appearance.Count == 0 || appearance["@type"]?.GetValue<string>() != "DigitalDocument")
                {
                    return "empty appearance or wrong @type";
                }

                var name = appearance["name"]?.GetValue<string>();
                if (string.IsNullOrEmpty(name) || name.Length > 80)
                {
                    return "appearance.name missing or > 80";
                }

                if ((appearance["abstract"]?.GetValue<string>()?.Length ?? 0) > 160)
                {
                    return "abstract > 160";
                }

                if (appearance["keywords"] is JsonArray kw && (kw.Count > 3 || kw.Any(k => k!.GetValue<string>().Length > 28)))
                {
                    return "keywords limits";
                }

                if (appearance["url"] is { } url && !Uri.TryCreate(url.GetValue<string>(), UriKind.Absolute, out _))
                {
                    return "url not absolute";
                }
            }

            if (citations.Count > 0 && !markers.SetEquals(positions))
            {
                return $"markers [{string.Join(',', markers)}] do not match positions [{string.Join(',', positions)}]";
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var k in Keys)
        {
            k.Dispose();
        }
    }
}
