using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Discord.Rest;
using PolicyBot.State.Sqlite;

namespace PolicyBot.Discord.Tests;

public sealed class OptionsAndHostingTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] pairs)
        => new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Options_BoundFromTheSectionByPropertyName()
    {
        var options = new DiscordOptions();
        Config(("Token", "abc.def"), ("ApplicationId", "123"), ("ApiBaseUrl", "http://127.0.0.1:5000/api/v10"), ("ShardId", "1"), ("ShardCount", "4")).Bind(options);
        Assert.Equal("abc.def", options.Token);
        Assert.Equal("123", options.ApplicationId);
        Assert.Equal("http://127.0.0.1:5000/api/v10", options.ApiBaseUrl);
        Assert.Equal(1, options.ShardId);
        Assert.Equal(4, options.ShardCount);

        var defaults = new DiscordOptions();
        Config(("Token", "t")).Bind(defaults);
        Assert.Equal("https://discord.com/api/v10", defaults.ApiBaseUrl);
        Assert.Null(defaults.ShardCount);
        Assert.Null(defaults.ShardId);
    }

    [Theory]
    [InlineData(null, null, "{Token} is not set")]
    [InlineData("Bot abc", null, "without the 'Bot ' prefix")]
    [InlineData("abc", "not-a-number", "{ApplicationId} must be the numeric application id")]
    public void Options_Invalid_ClearMessagesWithoutTheToken(string? token, string? app, string expected)
    {
        var options = new DiscordOptions { Token = token ?? "", ApplicationId = app };
        var result = new DiscordOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        if (token is { Length: > 4 })
        {
            Assert.DoesNotContain(token, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_BaseUrlMustBeV10()
    {
        var options = new DiscordOptions { Token = "abc", ApiBaseUrl = "https://discord.com/api/v9" };
        Assert.Contains("/api/v10", new DiscordOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPolicyBotDiscord_MissingToken_FailsAtStartWithClearMessage()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        await RegisterCoreAsync(builder.Services);
        builder.Services.AddPolicyBotDiscord(Config(("Token", "")));
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("{Token} is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPolicyBotDiscord_RunsAgainstFake_ReadyThenFatalCloseStopsHost()
    {
        var time = new AcceleratedTimeProvider(20);
        await using var fake = await FakeDiscord.StartAsync(time);
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        await RegisterCoreAsync(builder.Services);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddPolicyBotDiscord(Config(("Token", FakeDiscord.Token), ("ApplicationId", FakeDiscord.ApplicationId), ("ApiBaseUrl", fake.ApiBaseUrl)));
        using var host = builder.Build();
        var state = host.Services.GetRequiredService<DiscordConnectionState>();
        var previousExitCode = Environment.ExitCode;
        try
        {
            await host.StartAsync();
            var connection = await fake.NextConnectionAsync();
            await BotHarness.WaitUntilAsync(() => state.IsConnected);

            await connection.CloseAsync(4014);
            await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(state.IsConnected);
            Assert.Contains("enable MESSAGE_CONTENT", state.FatalError, StringComparison.Ordinal);
            Assert.Equal(1, Environment.ExitCode);
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Critical && e.Text.Contains("4014", StringComparison.Ordinal));
            Assert.DoesNotContain(FakeDiscord.Token, logs.AllText, StringComparison.Ordinal);
        }
        finally
        {
            Environment.ExitCode = previousExitCode;
        }
    }

    [Fact]
    public async Task AddPolicyBotDiscord_EveryLogAtTrace_NeverCarriesTheTokenOrAnAuthorizationHeader()
    {
        // The host's own wiring (IHttpClientFactory, the resilience pipeline, the adapter) with every category at
        // Trace: an earlier move to the factory leaked the bot token through the factory's request logging.
        var time = new AcceleratedTimeProvider(20);
        await using var fake = await FakeDiscord.StartAsync(time);
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        await RegisterCoreAsync(builder.Services);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddPolicyBotDiscord(Config(("Token", FakeDiscord.Token), ("ApplicationId", FakeDiscord.ApplicationId), ("ApiBaseUrl", fake.ApiBaseUrl)));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var connection = await fake.NextConnectionAsync();
            var state = host.Services.GetRequiredService<DiscordConnectionState>();
            await BotHarness.WaitUntilAsync(() => state.IsConnected);
            var rest = host.Services.GetRequiredService<DiscordRestClient>();

            // 5xx twice (the pipeline's retries), then a 429 (our protocol), then a plain success.
            fake.InjectFor("POST", "/channels/9/messages", FakeResponse.Error(500, 0, "boom"));
            fake.InjectFor("POST", "/channels/9/messages", FakeResponse.Error(503, 0, "busy"));
            await rest.CreateMessageAsync("9", new PolicyBot.Discord.Protocol.MessageParams { Content = "after two 5xx" }, CancellationToken.None);
            fake.InjectFor("POST", "/channels/8/messages", FakeResponse.RateLimited(0.2));
            await rest.CreateMessageAsync("8", new PolicyBot.Discord.Protocol.MessageParams { Content = "after a 429" }, CancellationToken.None);
            // An interaction (its token travels in the callback and webhook URLs), answered by the bot.
            var interaction = fake.NewInteraction(2, new System.Text.Json.Nodes.JsonObject { ["name"] = "about", ["type"] = 1 });
            var interactionToken = interaction["token"]!.GetValue<string>();
            await connection.DispatchAsync("INTERACTION_CREATE", interaction);
            await BotHarness.WaitUntilAsync(() => fake.Requests.Any(r => r.Path.Contains("/callback", StringComparison.Ordinal)));

            Assert.Equal(3, fake.Requests.Count(r => r.Path == "/channels/9/messages"));
            Assert.All(fake.Requests.Where(r => r.Path.StartsWith("/channels/", StringComparison.Ordinal)), r => Assert.Equal("Bot " + FakeDiscord.Token, r.Header("Authorization")));
            var everything = logs.AllText;
            Assert.Contains(logs.Entries, e => e.Text.Contains("/channels/9/messages with 500; retry 1", StringComparison.Ordinal)); // the retries were logged
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace || e.Level == LogLevel.Debug); // Trace really was on
            Assert.DoesNotContain(FakeDiscord.Token, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeDiscord.Token.Split('.')[2], everything, StringComparison.Ordinal); // not even the secret part
            Assert.DoesNotContain(interactionToken, everything, StringComparison.Ordinal);
            Assert.DoesNotContain("Authorization", everything, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Tokens_NeverInLogsOrExceptions()
    {
        await using var h = await BotHarness.CreateAsync();
        await h.StartAsync();
        var interaction = h.Fake.NewInteraction(2, new System.Text.Json.Nodes.JsonObject { ["name"] = "about", ["type"] = 1 });
        var interactionToken = interaction["token"]!.GetValue<string>();
        h.Fake.AgeInteractions(TimeSpan.FromSeconds(5));
        await h.DispatchInteractionAsync(interaction);
        await BotHarness.WaitUntilAsync(() => h.Logs.Entries.Any(e => e.Text.Contains("10062", StringComparison.Ordinal)));

        h.Fake.InjectFor("POST", "/channels/9/messages", FakeResponse.Error(500, 0, "boom"));
        h.Fake.InjectFor("POST", "/channels/9/messages", FakeResponse.Error(500, 0, "boom"));
        h.Fake.InjectFor("POST", "/channels/9/messages", FakeResponse.Error(500, 0, "boom"));
        h.Fake.InjectFor("POST", "/channels/9/messages", FakeResponse.Error(500, 0, "boom"));
        var error = await Assert.ThrowsAsync<DiscordHttpException>(() => h.Rest.CreateMessageAsync("9", new PolicyBot.Discord.Protocol.MessageParams { Content = "x" }, CancellationToken.None));
        var callbackError = await Assert.ThrowsAsync<DiscordHttpException>(() => h.Rest.CreateInteractionResponseAsync("1", interactionToken, new PolicyBot.Discord.Protocol.InteractionResponse<PolicyBot.Discord.Protocol.MessageParams>(4, new PolicyBot.Discord.Protocol.MessageParams { Content = "x" }), CancellationToken.None));

        await h.Connection!.CloseAsync(4004);
        await Assert.ThrowsAsync<PolicyBot.Discord.Gateway.GatewayFatalException>(() => h.Run!.WaitAsync(TimeSpan.FromSeconds(10)));

        var everything = h.Logs.AllText + error + callbackError;
        Assert.DoesNotContain(FakeDiscord.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(interactionToken, everything, StringComparison.Ordinal);
        Assert.Contains("/interactions/{id}/{token}/callback", callbackError.Message, StringComparison.Ordinal);
    }

    /// <summary>What the host registers: the real engine over the test corpus and the real SQLite store on a temp file.</summary>
    private static async Task RegisterCoreAsync(IServiceCollection services)
    {
        var engine = await TestCorpus.SharedAsync(CorpusSet.Chat);
        var store = new SqliteBotStore(TestCorpus.NewStateFile());
        await store.MigrateAsync(CancellationToken.None);
        services.AddSingleton<IQuestionAnswerer>(engine);
        services.AddSingleton<ICorpusCatalog>(engine);
        services.AddSingleton(store);
        services.AddSingleton<IFeedbackSink>(sp => sp.GetRequiredService<SqliteBotStore>());
        services.AddSingleton<IServerSettingsStore>(sp => sp.GetRequiredService<SqliteBotStore>());
        services.AddSingleton<IExpiringCache>(sp => sp.GetRequiredService<SqliteBotStore>());
        services.AddSingleton<IWatchStore>(sp => sp.GetRequiredService<SqliteBotStore>());
    }
}
