using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Testing.Http;

namespace PolicyBot.Testing.Discord;

/// <summary>A request the fake REST API received.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At, long RealTimestamp)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";
}

/// <summary>A canned response a test injects.</summary>
public sealed record FakeResponse(int Status, object? Body = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static FakeResponse Error(int status, int code, string message, IReadOnlyDictionary<string, string>? headers = null)
        => new(status, new { code, message }, headers);

    public static FakeResponse RateLimited(double retryAfter, bool global = false, string scope = "user")
        => new(429, new { message = "You are being rate limited.", retry_after = retryAfter, global }, new Dictionary<string, string>
        {
            ["Retry-After"] = Math.Ceiling(retryAfter).ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Scope"] = scope,
            ["X-RateLimit-Global"] = global ? "true" : "false",
        });
}

/// <summary>A message the fake holds (created in a channel, or as an interaction response/follow-up).</summary>
public sealed record FakeMessage(string Id, string ChannelId, JsonObject Body, string Via);

/// <summary>
/// A fake Discord on 127.0.0.1 (Kestrel, port 0): the REST API under /api/v10 with header checks, body-limit
/// validation, nonce dedupe, an interaction clock and a rate-limit engine; and a WebSocket gateway at /gateway
/// (plus a distinct /resume URL) that speaks real frames and can play the conformance scenarios.
/// </summary>
public sealed class FakeDiscord : IAsyncDisposable
{
    public const string Token = "MTAwMDAwMDAwMDAwMDAwMDAy.fake.S3CR3T-t0ken-never-logged";
    public const string ApplicationId = "100000000000000001";
    public const string BotUserId = "200000000000000002";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<RecordedRequest, FakeResponse?>> _oneShot = new();
    private readonly ConcurrentDictionary<string, FakeSession> _sessions = new();
    private readonly ConcurrentDictionary<string, InteractionClock> _interactions = new();
    private readonly ConcurrentDictionary<string, FakeMessage> _nonces = new();
    private readonly ConcurrentDictionary<string, BucketDefinition> _bucketByRoute = new();
    private readonly ConcurrentDictionary<string, BucketCounter> _bucketCounters = new();
    private readonly Queue<DateTimeOffset> _globalWindow = new();
    private readonly Lock _gate = new();
    private long _nextId = 900_000_000_000_000_000;
    private int _connections;
    private DateTimeOffset _globalPauseUntil;

    private FakeDiscord(WebApplication app, TimeProvider time)
    {
        _app = app;
        Time = time;
    }

    public TimeProvider Time { get; }

    public int Port { get; private set; }

    public string ApiBaseUrl => $"http://127.0.0.1:{Port}/api/v10";

    public string GatewayUrl => $"ws://127.0.0.1:{Port}/gateway";

    public string ResumeUrl => $"ws://127.0.0.1:{Port}/resume";

    // ---- knobs ----
    public int HeartbeatIntervalMs { get; set; } = 41_250;

    public bool AckHeartbeats { get; set; } = true;

    public bool AutoReady { get; set; } = true;

    /// <summary>Resumes are answered with op 9 false instead of a replay.</summary>
    public bool RejectResumes { get; set; }

    public int RecommendedShards { get; set; } = 1;

    public (int Total, int Remaining, long ResetAfterMs, int MaxConcurrency) SessionStartLimit { get; set; } = (1000, 1000, 86_400_000, 1);

    /// <summary>Replaces the default "send Hello" on connect.</summary>
    public Func<FakeGatewayConnection, Task>? OnConnected { get; set; }

    /// <summary>Global REST limit the fake enforces with 429 global (null = off).</summary>
    public int? GlobalLimitPerSecond { get; set; }

    /// <summary>Simulated Discord processing time per REST request (real time).</summary>
    public TimeSpan RestLatency { get; set; }

    // ---- records ----
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Channel<RecordedRequest> RequestFeed { get; } = Channel.CreateUnbounded<RecordedRequest>();

    public ConcurrentQueue<GatewayClientFrame> Frames { get; } = new();

    public Channel<FakeGatewayConnection> Connections { get; } = Channel.CreateUnbounded<FakeGatewayConnection>();

    public ConcurrentQueue<FakeMessage> Messages { get; } = new();

    public ConcurrentQueue<(int Connection, int? Code)> ClientCloses { get; } = new();

    /// <summary>Protocol violations the fake saw (bad headers, invalid bodies, oversized frames, double callbacks…). Tests assert it stays empty.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    public int ConnectionCount => Volatile.Read(ref _connections);

    public int InvalidRequestCount { get; private set; }

    public IEnumerable<GatewayClientFrame> FramesWithOp(int op) => Frames.Where(f => f.Op == op);

    public static async Task<FakeDiscord> StartAsync(TimeProvider time)
    {
        var builder = Loopback.CreateBuilder();
        var app = builder.Build();
        var fake = new FakeDiscord(app, time);
        app.UseWebSockets();
        app.Map("/gateway", fake.AcceptGatewayAsync);
        app.Map("/resume", fake.AcceptGatewayAsync);
        app.Map("/api/v10/{**path}", fake.HandleRestAsync);
        fake.Port = new Uri(await Loopback.StartAsync(app).ConfigureAwait(false)).Port;
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(cts.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Injects a one-shot responder: the first request it returns non-null for gets that response.</summary>
    public void Inject(Func<RecordedRequest, FakeResponse?> responder) => _oneShot.Enqueue(responder);

    /// <summary>Injects a one-shot response for the next request whose method and path start match.</summary>
    public void InjectFor(string method, string pathPrefix, FakeResponse response)
    {
        var used = 0;
        Inject(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal) && Interlocked.Exchange(ref used, 1) == 0 ? response : null);
    }

    /// <summary>Defines a rate-limit bucket: routes ("POST /channels/{id}/messages") share <paramref name="bucket"/> per top-level resource.</summary>
    public void DefineBucket(string bucket, int limit, double resetAfterSeconds, params string[] routes)
    {
        foreach (var route in routes)
        {
            _bucketByRoute[route] = new BucketDefinition(bucket, limit, resetAfterSeconds);
        }
    }

    public async Task<FakeGatewayConnection> NextConnectionAsync(TimeSpan? realTimeout = null)
    {
        using var cts = new CancellationTokenSource(realTimeout ?? TimeSpan.FromSeconds(10));
        return await Connections.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
    }

    /// <summary>Waits for a REST request matching <paramref name="match"/> (real-time timeout).</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match, TimeSpan? realTimeout = null)
    {
        using var cts = new CancellationTokenSource(realTimeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var r = await RequestFeed.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            if (match(r))
            {
                return r;
            }
        }
    }

    public FakeSession? FindSession(string id) => _sessions.TryGetValue(id, out var s) ? s : null;

    public string NewId() => Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds an INTERACTION_CREATE payload and starts its 3 s / 15 min clock now.</summary>
    public JsonObject NewInteraction(int type, JsonObject? data, string? guildId = "300000000000000003", string channelId = "400000000000000004", string userId = "500000000000000005", string permissions = "0", JsonObject? message = null)
    {
        var id = NewId();
        var token = "itoken-" + Guid.NewGuid().ToString("N");
        _interactions[token] = new InteractionClock(id, Time.GetUtcNow());
        var user = new JsonObject { ["id"] = userId, ["username"] = "asker" };
        var interaction = new JsonObject
        {
            ["id"] = id,
            ["application_id"] = ApplicationId,
            ["type"] = type,
            ["token"] = token,
            ["version"] = 1,
            ["channel_id"] = channelId,
            ["data"] = data,
        };
        if (guildId is not null)
        {
            interaction["guild_id"] = guildId;
            interaction["member"] = new JsonObject { ["user"] = user, ["permissions"] = permissions };
        }
        else
        {
            interaction["user"] = user;
        }

        if (message is not null)
        {
            interaction["message"] = message;
        }

        return interaction;
    }

    /// <summary>Starts the interaction clock for a recorded payload, giving it a fresh id and token.</summary>
    public JsonObject TrackInteraction(JsonObject interaction)
    {
        var id = NewId();
        var token = "itoken-" + Guid.NewGuid().ToString("N");
        interaction["id"] = id;
        interaction["token"] = token;
        _interactions[token] = new InteractionClock(id, Time.GetUtcNow());
        return interaction;
    }

    public static JsonObject NewMessage(string id, string content, string? guildId = "300000000000000003", string channelId = "400000000000000004", string authorId = "500000000000000005", bool authorIsBot = false, bool mentionsBot = false, int channelType = 0)
    {
        var message = new JsonObject
        {
            ["id"] = id,
            ["channel_id"] = channelId,
            ["type"] = 0,
            ["content"] = content,
            ["author"] = new JsonObject { ["id"] = authorId, ["username"] = "asker", ["bot"] = authorIsBot },
            ["mentions"] = mentionsBot ? new JsonArray(new JsonObject { ["id"] = BotUserId, ["username"] = "PolicyBot", ["bot"] = true }) : new JsonArray(),
            ["mention_everyone"] = content.Contains("@everyone", StringComparison.Ordinal),
            ["timestamp"] = "2026-11-22T01:00:00.000000+00:00",
            ["channel_type"] = guildId is null ? 1 : channelType,
        };
        if (guildId is not null)
        {
            message["guild_id"] = guildId;
        }

        return message;
    }

    // ---- gateway ----

    internal void RecordFrame(GatewayClientFrame frame) => Frames.Enqueue(frame);

    internal void RecordClientClose(FakeGatewayConnection connection, int? code) => ClientCloses.Enqueue((connection.Index, code));

    internal async Task HandleClientFrameAsync(FakeGatewayConnection connection, GatewayClientFrame frame)
    {
        switch (frame.Op)
        {
            case 1:
                if (connection.AckHeartbeats)
                {
                    await connection.SendOpAsync(11, null).ConfigureAwait(false);
                }

                break;
            case 2:
                var d = frame.D;
                if (d.GetProperty("token").GetString() != Token)
                {
                    await connection.CloseAsync(4004).ConfigureAwait(false);
                    return;
                }

                if (AutoReady)
                {
                    int[] shard = d.TryGetProperty("shard", out var s) ? [s[0].GetInt32(), s[1].GetInt32()] : [0, 1];
                    await SendReadyAsync(connection, shard).ConfigureAwait(false);
                }

                break;
            case 6:
                var r = frame.D;
                var sessionId = r.GetProperty("session_id").GetString() ?? "";
                if (RejectResumes || r.GetProperty("token").GetString() != Token || !_sessions.TryGetValue(sessionId, out var existing))
                {
                    await connection.SendOpAsync(9, false).ConfigureAwait(false);
                    return;
                }

                connection.Session = existing;
                var seq = r.GetProperty("seq").ValueKind == JsonValueKind.Number ? r.GetProperty("seq").GetInt64() : 0;
                foreach (var json in existing.EventsAfter(seq))
                {
                    await connection.SendJsonAsync(json).ConfigureAwait(false);
                }

                await connection.DispatchAsync("RESUMED", new JsonObject()).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Starts a new session on <paramref name="connection"/> and dispatches READY (s = 1).</summary>
    public async Task<FakeSession> SendReadyAsync(FakeGatewayConnection connection, int[]? shard = null)
    {
        shard ??= [0, 1];
        var session = new FakeSession("session-" + NewId(), shard);
        _sessions[session.Id] = session;
        connection.Session = session;
        await connection.DispatchAsync("READY", new JsonObject
        {
            ["v"] = 10,
            ["user"] = new JsonObject { ["id"] = BotUserId, ["username"] = "PolicyBot", ["bot"] = true },
            ["guilds"] = new JsonArray(),
            ["session_id"] = session.Id,
            ["resume_gateway_url"] = ResumeUrl,
            ["shard"] = new JsonArray(shard[0], shard[1]),
            ["application"] = new JsonObject { ["id"] = ApplicationId, ["flags"] = 0 },
        }).ConfigureAwait(false);
        return session;
    }

    /// <summary>Moves every interaction's issue time back by <paramref name="age"/> (a virtual-clock jump for the 3 s / 15 min windows).</summary>
    public void AgeInteractions(TimeSpan age)
    {
        foreach (var (token, clock) in _interactions)
        {
            _interactions[token] = clock.Aged(age);
        }
    }

    /// <summary>The next N message creates are stored, then answered with 500 (a commit whose response was lost).</summary>
    public int FailAfterCommit { get; set; }

    private async Task AcceptGatewayAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var index = Interlocked.Increment(ref _connections) - 1;
        var connection = new FakeGatewayConnection(this, socket, context, index, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "");
        Connections.Writer.TryWrite(connection);
        await connection.RunAsync().ConfigureAwait(false);
    }

    // ---- REST ----

    private async Task HandleRestAsync(HttpContext context)
    {
        var path = "/" + (context.Request.RouteValues["path"] as string ?? "");
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, path, headers, body, Time.GetUtcNow(), System.Diagnostics.Stopwatch.GetTimestamp());
        Requests.Enqueue(request);
        RequestFeed.Writer.TryWrite(request);
        if (RestLatency > TimeSpan.Zero)
        {
            await Task.Delay(RestLatency).ConfigureAwait(false);
        }

        var response = Respond(request);
        if (response.Status is 401 or 403 or 429 && !(response.Headers?.TryGetValue("X-RateLimit-Scope", out var scope) == true && scope == "shared"))
        {
            lock (_gate)
            {
                InvalidRequestCount++;
            }
        }

        context.Response.StatusCode = response.Status;
        foreach (var (key, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[key] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(response.Body)).ConfigureAwait(false);
        }
    }

    private FakeResponse Respond(RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        var isInteractionRoute = segments[0] is "interactions" || (segments[0] == "webhooks" && segments.Length > 2);
        if (!request.Header("User-Agent").StartsWith("DiscordBot (", StringComparison.Ordinal))
        {
            return Violation(request, FakeResponse.Error(400, 0, "User-Agent must start with 'DiscordBot ('"));
        }

        if (!isInteractionRoute && request.Header("Authorization") != "Bot " + Token)
        {
            return Violation(request, FakeResponse.Error(401, 0, "401: Unauthorized"));
        }

        if (request.Body.Length > 0 && !request.Header("Content-Type").StartsWith("application/json", StringComparison.Ordinal))
        {
            return Violation(request, FakeResponse.Error(400, 50035, "Invalid Form Body (content type)"));
        }

        var count = _oneShot.Count;
        for (var i = 0; i < count && _oneShot.TryDequeue(out var responder); i++)
        {
            if (responder(request) is { } injected)
            {
                return injected;
            }

            _oneShot.Enqueue(responder);
        }

        if (!isInteractionRoute && GlobalCheck() is { } globalLimited)
        {
            return globalLimited;
        }

        var template = Template(request.Method, segments);
        var rateHeaders = new Dictionary<string, string>();
        if (_bucketByRoute.TryGetValue(template, out var bucket))
        {
            var major = segments.Length > 1 ? segments[1] : "";
            var counter = _bucketCounters.GetOrAdd(bucket.Name + "|" + major, _ => new BucketCounter());
            lock (counter)
            {
                var now = Time.GetUtcNow();
                if (now >= counter.ResetAt)
                {
                    counter.Used = 0;
                    counter.ResetAt = now + TimeSpan.FromSeconds(bucket.ResetAfter);
                }

                var resetAfter = (counter.ResetAt - now).TotalSeconds;
                rateHeaders["X-RateLimit-Bucket"] = bucket.Name;
                rateHeaders["X-RateLimit-Limit"] = bucket.Limit.ToString(CultureInfo.InvariantCulture);
                rateHeaders["X-RateLimit-Reset-After"] = resetAfter.ToString("0.000", CultureInfo.InvariantCulture);
                rateHeaders["X-RateLimit-Reset"] = (counter.ResetAt.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
                if (counter.Used >= bucket.Limit)
                {
                    Violations.Enqueue($"{request.Method} {request.Path}: request while bucket {bucket.Name} was exhausted");
                    var limited = FakeResponse.RateLimited(resetAfter);
                    foreach (var (k, v) in limited.Headers!)
                    {
                        rateHeaders[k] = v;
                    }

                    rateHeaders["X-RateLimit-Remaining"] = "0";
                    return limited with { Headers = rateHeaders };
                }

                counter.Used++;
                rateHeaders["X-RateLimit-Remaining"] = (bucket.Limit - counter.Used).ToString(CultureInfo.InvariantCulture);
            }
        }

        var result = Route(request, segments);
        if (rateHeaders.Count > 0)
        {
            var merged = new Dictionary<string, string>(rateHeaders);
            foreach (var (k, v) in result.Headers ?? new Dictionary<string, string>())
            {
                merged[k] = v;
            }

            result = result with { Headers = merged };
        }

        return result;
    }

    private FakeResponse? GlobalCheck()
    {
        if (GlobalLimitPerSecond is not { } limit)
        {
            return null;
        }

        lock (_globalWindow)
        {
            var now = Time.GetUtcNow();
            if (now < _globalPauseUntil)
            {
                Violations.Enqueue("request during a global rate-limit pause");
                return FakeResponse.RateLimited((_globalPauseUntil - now).TotalSeconds, global: true, scope: "global");
            }

            while (_globalWindow.Count > 0 && now - _globalWindow.Peek() >= TimeSpan.FromSeconds(1))
            {
                _globalWindow.Dequeue();
            }

            if (_globalWindow.Count >= limit)
            {
                Violations.Enqueue("global rate limit exceeded");
                _globalPauseUntil = _globalWindow.Peek() + TimeSpan.FromSeconds(1);
                return FakeResponse.RateLimited((_globalPauseUntil - now).TotalSeconds, global: true, scope: "global");
            }

            _globalWindow.Enqueue(now);
            return null;
        }
    }

    private static string Template(string method, string[] segments)
        => method + " /" + string.Join('/', segments.Select((s, i) => s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : i == 2 && segments[0] is "webhooks" or "interactions" ? "{token}" : s));

    private FakeResponse Violation(RecordedRequest request, FakeResponse response)
    {
        Violations.Enqueue($"{request.Method} {request.Path}: {JsonSerializer.Serialize(response.Body)}");
        return response;
    }

    private FakeResponse Route(RecordedRequest request, string[] s)
    {
        var m = request.Method;
        switch (s)
        {
            case ["gateway"] when m == "GET":
                return new FakeResponse(200, new { url = GatewayUrl });
            case ["gateway", "bot"] when m == "GET":
                var limit = SessionStartLimit;
                return new FakeResponse(200, new
                {
                    url = GatewayUrl,
                    shards = RecommendedShards,
                    session_start_limit = new { total = limit.Total, remaining = limit.Remaining, reset_after = limit.ResetAfterMs, max_concurrency = limit.MaxConcurrency },
                });
            case ["channels", var channel, "messages"] when m == "POST":
                var created = CreateMessage(request, channel, "channel");
                if (created.Status == 200 && FailAfterCommit > 0)
                {
                    FailAfterCommit--;
                    return FakeResponse.Error(500, 0, "500: Internal Server Error");
                }

                return created;
            case ["channels", var channel, "messages", var id] when m == "PATCH":
                return Validated(request, requireContent: false) ?? new FakeResponse(200, MessageJson(id, channel, request.Json!.AsObject()));
            case ["channels", _, "messages", _] when m == "DELETE":
                return new FakeResponse(204);
            case ["channels", _, "typing"] when m == "POST":
                return new FakeResponse(204);
            case ["channels", var channel, "messages", var id, "threads"] when m == "POST":
                return new FakeResponse(201, new { id, type = 11, parent_id = channel, name = request.Json?["name"]?.GetValue<string>() });
            case ["interactions", _, var token, "callback"] when m == "POST":
                return Callback(request, token);
            case ["webhooks", _, var token, "messages", "@original"]:
                return Webhook(request, token, original: true);
            case ["webhooks", _, var token] when m == "POST":
                return Webhook(request, token, original: false);
            case ["applications", _, "commands"] or ["applications", _, "guilds", _, "commands"] when m == "PUT":
                return Commands(request);
            case ["applications", _, "commands"] or ["applications", _, "guilds", _, "commands"] when m == "GET":
                return new FakeResponse(200, new JsonArray());
            default:
                return Violation(request, FakeResponse.Error(404, 0, "404: Not Found (fake has no such route)"));
        }
    }

    private FakeResponse CreateMessage(RecordedRequest request, string channel, string via)
    {
        if (Validated(request, requireContent: true) is { } invalid)
        {
            return invalid;
        }

        var json = request.Json!.AsObject();
        var nonce = json["nonce"]?.ToString();
        if (nonce is not null && json["enforce_nonce"]?.GetValue<bool>() == true && _nonces.TryGetValue(channel + "|" + nonce, out var existing))
        {
            return new FakeResponse(200, MessageJson(existing.Id, channel, existing.Body));
        }

        var message = new FakeMessage(NewId(), channel, json, via);
        if (nonce is not null)
        {
            _nonces[channel + "|" + nonce] = message;
        }

        Messages.Enqueue(message);
        return new FakeResponse(200, MessageJson(message.Id, channel, json));
    }

    private static JsonObject MessageJson(string id, string channel, JsonObject body) => new()
    {
        ["id"] = id,
        ["channel_id"] = channel,
        ["type"] = body["message_reference"] is null ? 0 : 19,
        ["content"] = body["content"]?.DeepClone() ?? "",
        ["author"] = new JsonObject { ["id"] = BotUserId, ["username"] = "PolicyBot", ["bot"] = true },
        ["embeds"] = body["embeds"]?.DeepClone() ?? new JsonArray(),
        ["components"] = body["components"]?.DeepClone() ?? new JsonArray(),
    };

    private FakeResponse Callback(RecordedRequest request, string token)
    {
        if (!_interactions.TryGetValue(token, out var clock))
        {
            return Violation(request, FakeResponse.Error(404, 10062, "Unknown interaction"));
        }

        lock (clock)
        {
            if (Time.GetUtcNow() - clock.IssuedAt > TimeSpan.FromSeconds(3))
            {
                clock.LateCallbacks++;
                return FakeResponse.Error(404, 10062, "Unknown interaction");
            }

            if (clock.CallbackType is not null)
            {
                return Violation(request, FakeResponse.Error(400, 40060, "Interaction has already been acknowledged."));
            }

            var type = request.Json?["type"]?.GetValue<int>() ?? 0;
            if (type is not (1 or 4 or 5 or 6 or 7 or 8 or 9))
            {
                return Violation(request, FakeResponse.Error(400, 50035, "Invalid callback type"));
            }

            var data = request.Json?["data"] as JsonObject;
            if (type == 5 && data?["flags"] is { } flags && flags.GetValue<int>() is not (0 or 64))
            {
                return Violation(request, FakeResponse.Error(400, 50035, "Only EPHEMERAL is valid with type 5"));
            }

            if (type is 4 or 7 && data is not null && ValidateMessage(data, requireContent: true) is { } problem)
            {
                return Violation(request, FakeResponse.Error(400, 50035, problem));
            }

            if (type == 8 && (data?["choices"] as JsonArray)?.Count > 25)
            {
                return Violation(request, FakeResponse.Error(400, 50035, "more than 25 choices"));
            }

            clock.CallbackType = type;
            clock.CallbackAt = Time.GetUtcNow();
            clock.Ephemeral = (data?["flags"]?.GetValue<int>() ?? 0) == 64;
            if (type == 4 && data is not null)
            {
                Messages.Enqueue(new FakeMessage(NewId(), "interaction:" + clock.InteractionId, data, "callback"));
            }
        }

        return new FakeResponse(204);
    }

    private FakeResponse Webhook(RecordedRequest request, string token, bool original)
    {
        if (!_interactions.TryGetValue(token, out var clock))
        {
            return Violation(request, FakeResponse.Error(404, 10015, "Unknown Webhook"));
        }

        if (Time.GetUtcNow() - clock.IssuedAt > TimeSpan.FromMinutes(15))
        {
            return FakeResponse.Error(401, 50027, "Invalid Webhook Token");
        }

        if (clock.CallbackType is null)
        {
            return Violation(request, FakeResponse.Error(404, 10008, "Unknown Message (not acknowledged)"));
        }

        if (request.Method == "GET" || request.Method == "DELETE")
        {
            return new FakeResponse(request.Method == "GET" ? 200 : 204, request.Method == "GET" ? new { id = clock.InteractionId, channel_id = "0" } : null);
        }

        if (Validated(request, requireContent: !original) is { } invalid)
        {
            return invalid;
        }

        var json = request.Json!.AsObject();
        var message = new FakeMessage(NewId(), "interaction:" + clock.InteractionId, json, original ? "original" : "followup");
        Messages.Enqueue(message);
        return new FakeResponse(200, MessageJson(message.Id, "0", json));
    }

    private FakeResponse Commands(RecordedRequest request)
    {
        if (request.Json is not JsonArray commands)
        {
            return Violation(request, FakeResponse.Error(400, 50035, "body must be an array"));
        }

        var problems = CommandValidation.Validate(commands);
        if (problems.Count > 0)
        {
            return Violation(request, FakeResponse.Error(400, 50035, string.Join("; ", problems)));
        }

        var result = new JsonArray();
        foreach (var command in commands)
        {
            var copy = command!.DeepClone().AsObject();
            copy["id"] = NewId();
            copy["application_id"] = ApplicationId;
            result.Add(copy);
        }

        return new FakeResponse(200, result);
    }

    private FakeResponse? Validated(RecordedRequest request, bool requireContent)
    {
        if (request.Json is not JsonObject body)
        {
            return Violation(request, FakeResponse.Error(400, 50035, "body must be a JSON object"));
        }

        return ValidateMessage(body, requireContent) is { } problem ? Violation(request, FakeResponse.Error(400, 50035, problem)) : null;
    }

    /// <summary>Discord's message limits (discord.md §§11–12); null when valid.</summary>
    public static string? ValidateMessage(JsonObject body, bool requireContent)
    {
        var content = body["content"]?.GetValue<string>();
        var embeds = body["embeds"] as JsonArray;
        var components = body["components"] as JsonArray;
        if (requireContent && string.IsNullOrEmpty(content) && (embeds is null || embeds.Count == 0) && (components is null || components.Count == 0))
        {
            return "50006: Cannot send an empty message";
        }

        if (content is { Length: > 2000 })
        {
            return $"content is {content.Length} characters (max 2000)";
        }

        if (embeds is { Count: > 10 })
        {
            return "more than 10 embeds";
        }

        var total = 0;
        foreach (var embed in embeds ?? [])
        {
            var e = embed!.AsObject();
            int Len(JsonNode? n) => n?.GetValue<string>().Trim().Length ?? 0;
            var title = Len(e["title"]);
            var description = Len(e["description"]);
            var footer = Len(e["footer"]?["text"]);
            var author = Len(e["author"]?["name"]);
            if (title > 256 || description > 4096 || footer > 2048 || author > 256)
            {
                return "embed field too long";
            }

            if (e["url"]?.GetValue<string>() is { } url && !Uri.IsWellFormedUriString(url, UriKind.Absolute))
            {
                return "embed url invalid";
            }

            total += title + description + footer + author;
            if (e["fields"] is JsonArray fields)
            {
                if (fields.Count > 25)
                {
                    return "more than 25 fields";
                }

                foreach (var f in fields)
                {
                    var name = Len(f!["name"]);
                    var value = Len(f["value"]);
                    if (name > 256 || value > 1024)
                    {
                        return "embed field name/value too long";
                    }

                    total += name + value;
                }
            }
        }

        if (total > 6000)
        {
            return $"embeds total {total} characters (max 6000)";
        }

        if (components is { Count: > 5 })
        {
            return "more than 5 action rows";
        }

        var customIds = new HashSet<string>();
        foreach (var row in components ?? [])
        {
            if (row!["type"]?.GetValue<int>() != 1 || row["components"] is not JsonArray buttons || buttons.Count is 0 or > 5)
            {
                return "action row invalid";
            }

            foreach (var button in buttons)
            {
                var customId = button!["custom_id"]?.GetValue<string>();
                var style = button["style"]?.GetValue<int>() ?? 0;
                if (style == 5 ? customId is not null : customId is null || customId.Length is 0 or > 100 || !customIds.Add(customId))
                {
                    return "custom_id invalid";
                }

                if (button["label"]?.GetValue<string>() is { Length: > 80 })
                {
                    return "button label too long";
                }
            }
        }

        if (body["allowed_mentions"] is JsonObject allowed)
        {
            var parse = (allowed["parse"] as JsonArray)?.Select(p => p!.GetValue<string>()).ToList() ?? [];
            if (parse.Any(p => p is not ("users" or "roles" or "everyone")))
            {
                return "allowed_mentions.parse invalid";
            }

            if ((parse.Contains("users") && allowed["users"] is not null) || (parse.Contains("roles") && allowed["roles"] is not null))
            {
                return "allowed_mentions parse and ids conflict";
            }
        }

        if (body["nonce"]?.ToString() is { Length: > 25 })
        {
            return "nonce longer than 25";
        }

        return null;
    }

    /// <summary>Interaction state: issued at dispatch; callback within 3 s and once; webhooks for 15 min.</summary>
    public sealed class InteractionClock(string interactionId, DateTimeOffset issuedAt)
    {
        public string InteractionId { get; } = interactionId;

        public DateTimeOffset IssuedAt { get; } = issuedAt;

        public int? CallbackType { get; set; }

        public DateTimeOffset? CallbackAt { get; set; }

        public bool Ephemeral { get; set; }

        public int LateCallbacks { get; set; }

        public InteractionClock Aged(TimeSpan age) => new(InteractionId, IssuedAt - age)
        {
            CallbackType = CallbackType,
            CallbackAt = CallbackAt,
            Ephemeral = Ephemeral,
            LateCallbacks = LateCallbacks,
        };
    }

    public InteractionClock? Clock(string interactionId) => _interactions.Values.FirstOrDefault(c => c.InteractionId == interactionId);

    private sealed record BucketDefinition(string Name, int Limit, double ResetAfter);

    private sealed class BucketCounter
    {
        public int Used { get; set; }

        public DateTimeOffset ResetAt { get; set; }
    }
}
