using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Postgres;
using PolicyBot.State.Sqlite;
using PolicyBot.State.Tests.Postgres;

namespace PolicyBot.State.Tests;

public sealed class AddPolicyBotStateTests : IDisposable
{
    internal const string Salt = "di-tests-salt-0123456789abcdef";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policybot-store-tests", Guid.NewGuid().ToString("N"));

    private string IndexPath => Path.Combine(_folder, "nested", "index.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddPolicyBotState_NoDatabaseSetting_StartsMigratedSqliteBesideTheIndex()
    {
        using var host = BuildHost(IndexPath, new() { [BotStateOptions.UserSaltSetting] = Salt });

        await host.StartAsync();
        var store = host.Services.GetRequiredService<IBotStore>();

        var sqlite = Assert.IsType<SqliteBotStore>(store);
        Assert.Equal(BotStorePaths.StateFileFor(IndexPath), sqlite.FilePath);
        Assert.Same(store, host.Services.GetRequiredService<IFeedbackSink>());
        Assert.Same(store, host.Services.GetRequiredService<IServerSettingsStore>());
        Assert.Same(store, host.Services.GetRequiredService<ISecretStore>());
        Assert.Same(store, host.Services.GetRequiredService<IExpiringCache>());
        Assert.Same(store, host.Services.GetRequiredService<IDeliveryClaims>());
        await store.RecordQuestionAsync(Sample("di-1"), CancellationToken.None); // migrated at start
        await host.Services.GetRequiredService<IFeedbackSink>().RecordAsync(
            new Feedback("di-1", "discord", "user-7", FeedbackReaction.Positive, null, DateTimeOffset.UtcNow), CancellationToken.None);
        var record = await SingleAsync(store);
        Assert.Equal(UserIdHasher.WithSalt(Salt).Hash("user-7"), Assert.Single(record.Feedback).UserId);
        Assert.Equal(TimeSpan.FromDays(90), host.Services.GetRequiredService<IOptions<BotStateOptions>>().Value.AuditRetention);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddPolicyBotState_SettingsFromConfiguration_AreBound()
    {
        using var host = BuildHost(IndexPath, new()
        {
            [BotStateOptions.AuditDaysSetting] = "30",
            [BotStateOptions.RawUserIdsSetting] = "true",
        });

        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<BotStateOptions>>().Value;
        Assert.Equal((TimeSpan.FromDays(30), true, null), (options.AuditRetention, options.RawUserIds, options.Database));
        Assert.True(host.Services.GetRequiredService<UserIdHasher>().StoresRawIds);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddPolicyBotState_NoSalt_FailsAtStartNamingTheSetting()
    {
        using var host = BuildHost(IndexPath, []);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(BotStateOptions.UserSaltSetting, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(BotStorePaths.StateFileFor(IndexPath)));
    }

    [Fact]
    public async Task AddPolicyBotState_BadDatabaseUrl_FailsAtStartWithoutThePassword()
    {
        using var host = BuildHost(IndexPath, new()
        {
            [BotStateOptions.UserSaltSetting] = Salt,
            [BotStateOptions.DatabaseSetting] = "postgres://bot:s3cretPW@db:port/policybot",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(BotStateOptions.DatabaseSetting, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretPW", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BotStateOptions.AuditDaysSetting, "ninety")]
    [InlineData(BotStateOptions.AuditDaysSetting, "-1")]
    [InlineData(BotStateOptions.RawUserIdsSetting, "maybe")]
    public async Task AddPolicyBotState_MalformedSetting_FailsAtStartNamingIt(string setting, string value)
    {
        using var host = BuildHost(IndexPath, new() { [BotStateOptions.UserSaltSetting] = Salt, [setting] = value });

        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    internal static IHost BuildHost(string indexPath, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPolicyBotState(builder.Configuration, indexPath);
        return builder.Build();
    }

    internal static AuditRecord Sample(string answerId) => new()
    {
        AnswerId = answerId,
        At = DateTimeOffset.UtcNow,
        Platform = "discord",
        Question = "Is emotion recognition at work prohibited?",
        Outcome = AnswerOutcome.Answered,
    };

    internal static async Task<AuditRecord> SingleAsync(IBotStore store)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in store.ReadAuditAsync(null, CancellationToken.None))
        {
            records.Add(record);
        }

        return Assert.Single(records);
    }
}

[RequiresPostgres]
public sealed class AddPolicyBotStatePostgresTests
{
    [StoreFact]
    public async Task AddPolicyBotState_DatabaseSetting_StartsMigratedPostgres()
    {
        var (schema, connectionString) = await PostgresTestEnvironment.CreateSchemaAsync(CancellationToken.None);
        try
        {
            var index = Path.Combine(Path.GetTempPath(), "policybot-store-tests", Guid.NewGuid().ToString("N"), "index.db");
            using var host = AddPolicyBotStateTests.BuildHost(index, new()
            {
                [BotStateOptions.UserSaltSetting] = AddPolicyBotStateTests.Salt,
                [BotStateOptions.DatabaseSetting] = connectionString,
            });

            await host.StartAsync();
            var store = host.Services.GetRequiredService<IBotStore>();
            Assert.IsType<PostgresBotStore>(store);
            Assert.Same(store, host.Services.GetRequiredService<IServerSettingsStore>());
            await store.RecordQuestionAsync(AddPolicyBotStateTests.Sample("pg-di-1"), CancellationToken.None);
            Assert.Equal("pg-di-1", (await AddPolicyBotStateTests.SingleAsync(store)).AnswerId);
            Assert.False(Directory.Exists(Path.GetDirectoryName(index)), "PostgreSQL mode must not create the SQLite file");
            await host.StopAsync();
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresTestEnvironment.DropSchemaAsync(schema);
        }
    }
}
