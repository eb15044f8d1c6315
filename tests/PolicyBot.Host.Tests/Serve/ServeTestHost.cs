using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Operations;
using PolicyBot.Host.Serve;
using PolicyBot.Search.Index;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>
/// The real <c>serve</c> host (Teams enabled, real SQLite index and state, Kestrel on 127.0.0.1:0) wired to a fake
/// Bot Framework on loopback, with real signed tokens.
/// </summary>
internal sealed class ServeTestHost : IAsyncDisposable
{
    private ServeTestHost(WebApplication app, FakeBotFramework fake, TokenMinter minter, FakeSigningKey key, string baseUrl, CapturingLoggerProvider logs)
    {
        App = app;
        Fake = fake;
        Minter = minter;
        Key = key;
        BaseUrl = baseUrl;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public const string Salt = "test-salt-0123456789abcdef";

    public WebApplication App { get; }

    public FakeBotFramework Fake { get; }

    public TokenMinter Minter { get; }

    public FakeSigningKey Key { get; }

    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public CapturingLoggerProvider Logs { get; }

    public OperatedAnswerer Answerer => App.Services.GetRequiredService<OperatedAnswerer>();

    public LiveIndex Live => App.Services.GetRequiredService<LiveIndex>();

    public static async Task<ServeTestHost> StartAsync(TestCorpus corpus, Dictionary<string, string?>? extra = null, bool discord = false)
    {
        var clock = new ManualClock();
        var fake = await FakeBotFramework.StartAsync(clock);
        var key = fake.AddKey("key-1", "msteams");
        fake.ExpectedClientId = TeamsCredentials.AppId;
        fake.ExpectedClientSecret = TeamsCredentials.AppPassword;
        var config = new Dictionary<string, string?>
        {
            ["TEAMS_APP_ID"] = TeamsCredentials.AppId,
            ["TEAMS_APP_PASSWORD"] = TeamsCredentials.AppPassword,
            ["TEAMS_APP_TYPE"] = "MultiTenant",
            ["TEAMS_OPENID_METADATA_URL"] = fake.MetadataUrl,
            ["TEAMS_TOKEN_ENDPOINT"] = fake.TokenEndpointTemplate,
            ["POLICYBOT_HTTP_URL"] = "http://127.0.0.1:0",
            ["POLICYBOT_USER_SALT"] = Salt,
            ["POLICYBOT_RELOAD_DEBOUNCE_MS"] = "100",
        };
        foreach (var (k, v) in extra ?? [])
        {
            config[k] = v;
        }

        var settings = new ServeSettings { Engine = corpus.Options() };
        var logs = new CapturingLoggerProvider();
        var app = ServeHost.Build(settings, discordFlag: discord, teamsFlag: true, config, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddProvider(logs);
            // Each host its own meter names: the OpenTelemetry SDK selects meters by name, and hosts run in parallel here.
            // The fake Bot Framework serves HTTPS with a test CA (as the Teams tests' BotHost trusts it).
            builder.Services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(TestCertificateAuthority.TrustingHandler));
            builder.Configuration["Telemetry:MeterScope"] = "PolicyBotTest-" + Guid.NewGuid().ToString("N");
        }, environmentName: "Development");
        var address = await Loopback.StartAsync(app);
        var host = new ServeTestHost(app, fake, new TokenMinter(clock), key, address, logs);
        await host.WaitReadyAsync();
        return host;
    }

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Http.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("/readyz never turned ready");
    }

    public string Bearer() => "Bearer " + TokenMinter.Mint(Minter.Connector(Key, TeamsCredentials.AppId, Fake.ServiceUrl));

    /// <summary>A personal-chat message from <paramref name="userId"/>.</summary>
    public JsonObject Personal(string text, string userId, string? id = null)
    {
        var activity = Activities.Message(Fake.ServiceUrl, "personal", "a:1X" + userId, text, id);
        activity["from"]!["id"] = "29:" + userId;
        activity["from"]!["aadObjectId"] = "aad-" + userId;
        return activity;
    }

    public async Task<HttpResponseMessage> PostAsync(JsonObject activity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", Bearer());
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
