using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Testing.Http;
using PolicyBot.Testing.Logging;
using PolicyBot.Testing.Teams;
using PolicyBot.Testing.Time;

namespace PolicyBot.Teams.Tests.Fakes;

/// <summary>The bot's real endpoint on Kestrel (127.0.0.1, port 0), wired to a <see cref="FakeBotFramework"/>.</summary>
public sealed class BotHost : IAsyncDisposable
{
    public const string AppId = TeamsCredentials.AppId;
    public const string AppPassword = TeamsCredentials.AppPassword;
    public const string TenantId = TeamsCredentials.TenantId;

    private readonly WebApplication _app;

    private BotHost(WebApplication app, string baseUrl, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public CapturingLoggerProvider Logs { get; }

    public sealed class Settings
    {
        public string? AppId { get; set; } = BotHost.AppId;

        public string AppType { get; set; } = "MultiTenant";

        public string? TenantId { get; set; }

        public string Environment { get; set; } = "Development";

        /// <summary>The explicit local-mode switch; null: on exactly when there is no app id.</summary>
        public bool? LocalMode { get; set; }

        public Action<TeamsOptions>? Tune { get; set; }

        public IQuestionAnswerer? Answerer { get; set; }

        public ICorpusCatalog? Catalog { get; set; }

        public IFeedbackSink? Feedback { get; set; }
    }

    public static async Task<BotHost> StartAsync(FakeBotFramework fake, ManualClock clock, Settings settings)
    {
        var builder = Loopback.CreateBuilder(new WebApplicationOptions { EnvironmentName = settings.Environment });
        // The Teams section as the host binds it (property names; the host maps TEAMS_APP_ID etc. onto these).
        var config = new Dictionary<string, string?>
        {
            ["AppId"] = settings.AppId,
            ["AppPassword"] = settings.AppId is null ? null : AppPassword,
            ["AppType"] = settings.AppType,
            ["TenantId"] = settings.TenantId,
            ["OpenIdMetadataUrl"] = fake.MetadataUrl,
            ["TokenEndpoint"] = fake.TokenEndpointTemplate,
            ["HttpUrl"] = "http://127.0.0.1:0",
            ["LocalMode"] = (settings.LocalMode ?? settings.AppId is null) ? "true" : "false",
        };
        builder.Configuration.AddInMemoryCollection(config);
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(settings.Answerer ?? throw new InvalidOperationException("an answerer (the real engine) is required"));
        builder.Services.AddSingleton(settings.Catalog ?? (settings.Answerer as ICorpusCatalog) ?? throw new InvalidOperationException("a corpus catalog (the real engine) is required"));
        builder.Services.AddSingleton(settings.Feedback ?? throw new InvalidOperationException("a feedback sink (the real store) is required"));
        if (settings.Feedback is PolicyBot.Core.State.IDeliveryClaims claims)
        {
            builder.Services.AddSingleton(claims); // the real store's claims, as the host registers them
        }

        if (settings.Feedback is PolicyBot.Core.State.IWatchStore watches)
        {
            builder.Services.AddSingleton(watches); // the real store's watch subscriptions, as the host registers them
        }

        builder.Services.AddPolicyBotTeams(builder.Configuration);
        // The bot's HTTP clients trust the fake's test CA (and nothing else needs changing in the bot).
        builder.Services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(TestCertificateAuthority.TrustingHandler));
        builder.Services.PostConfigure<TeamsOptions>(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            o.RetryMaxDelay = TimeSpan.FromSeconds(5);
            o.TypingInterval = TimeSpan.FromMilliseconds(300);
            settings.Tune?.Invoke(o);
        });
        var app = builder.Build();
        app.MapPolicyBotTeams();
        return new BotHost(app, await Loopback.StartAsync(app), logs);
    }

    /// <summary>POSTs an activity to /api/messages with an optional Authorization header value.</summary>
    public async Task<HttpResponseMessage> PostAsync(JsonObject activity, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
