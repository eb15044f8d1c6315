using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Postgres;
using PolicyBot.State.Sqlite;

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
        using var host = BuildHost(IndexPath, s => s.UserSalt = Salt);

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
        Assert.Equal(TimeSpan.FromDays(90), host.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Retention);
        await host.StopAsync();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the bot is deployed on Linux
    public async Task AddPolicyBotState_NoSalt_GeneratesOneOnFirstStartKeepsItAndNeverLogsIt()
    {
        string stored;
        var firstLogs = new CapturingLoggerProvider();
        using (var host = BuildHost(IndexPath, _ => { }, logs: firstLogs))
        {
            await host.StartAsync();
            var hasher = host.Services.GetRequiredService<UserIdHasher>();
            stored = (await host.Services.GetRequiredService<ISecretStore>().GetOrCreateSecretAsync(UserIdHasher.StoredSaltName, CancellationToken.None)).Value;
            Assert.False(hasher.StoresRawIds);
            Assert.Equal(UserIdHasher.WithSalt(stored).Hash("user-7"), hasher.Hash("user-7"));
            await host.Services.GetRequiredService<IFeedbackSink>().RecordAsync(
                new Feedback("a", "teams", "user-7", FeedbackReaction.Negative, null, DateTimeOffset.UtcNow), CancellationToken.None);
            await host.StopAsync();
        }

        Assert.Single(firstLogs.Entries, e => e.Text.Contains("no user-id salt was configured", StringComparison.Ordinal));
        Assert.DoesNotContain(firstLogs.Lines, l => l.Contains(stored, StringComparison.Ordinal));

        var secondLogs = new CapturingLoggerProvider();
        using (var again = BuildHost(IndexPath, _ => { }, logs: secondLogs))
        {
            await again.StartAsync();
            Assert.Equal(UserIdHasher.WithSalt(stored).Hash("user-7"), again.Services.GetRequiredService<UserIdHasher>().Hash("user-7"));
            await again.StopAsync();
        }

        Assert.DoesNotContain(secondLogs.Lines, l => l.Contains("no user-id salt was configured", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BotStorePaths.StateFileFor(IndexPath)));
    }

    [Fact]
    public async Task AddPolicyBotState_ConfiguredSalt_WinsOverTheStoredOne()
    {
        using (var first = BuildHost(IndexPath, _ => { }))
        {
            await first.StartAsync();
            await first.StopAsync();
        }

        using var host = BuildHost(IndexPath, s => s.UserSalt = Salt);
        await host.StartAsync();
        Assert.Equal(UserIdHasher.WithSalt(Salt).Hash("u"), host.Services.GetRequiredService<UserIdHasher>().Hash("u"));
        await host.StopAsync();
    }

    [Fact]
    public async Task AddPolicyBotState_RawIdsAndRetention_AreBound()
    {
        using var host = BuildHost(IndexPath, _ => { }, a =>
        {
            a.Retention = TimeSpan.FromDays(30);
            a.RawUserIds = true;
        });

        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<AuditOptions>>().Value;
        Assert.Equal((TimeSpan.FromDays(30), true), (options.Retention, options.RawUserIds));
        Assert.True(host.Services.GetRequiredService<UserIdHasher>().StoresRawIds);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("sh0rtZq")]
    [InlineData("               Zq7!")]
    public async Task AddPolicyBotState_ShortSalt_FailsAtStartNamingItWithoutTheValue(string salt)
    {
        using var host = BuildHost(IndexPath, s => s.UserSalt = salt);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("{UserSalt}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(salt.Trim(), ex.Message.Replace("{UserSalt}", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.False(File.Exists(BotStorePaths.StateFileFor(IndexPath)));
    }

    [Fact]
    public async Task AddPolicyBotState_BadDatabaseUrl_FailsAtStartWithoutThePassword()
    {
        using var host = BuildHost(IndexPath, s => s.Database = "postgres://bot:s3cretPW@db:port/policybot");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("{Database}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretPW", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPolicyBotState_NegativeRetention_FailsAtStartNamingIt()
    {
        using var host = BuildHost(IndexPath, _ => { }, a => a.Retention = TimeSpan.FromDays(-1));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("{Retention}", ex.Message, StringComparison.Ordinal);
    }

    internal static IHost BuildHost(string indexPath, Action<BotStateOptions> state, Action<AuditOptions>? audit = null, CapturingLoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddPolicyBotState(state, audit ?? (_ => { }), indexPath);
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
            using var host = AddPolicyBotStateTests.BuildHost(index, s => s.Database = connectionString);
            using var replica = AddPolicyBotStateTests.BuildHost(index, s => s.Database = connectionString);

            await Task.WhenAll(host.StartAsync(), replica.StartAsync());
            var store = host.Services.GetRequiredService<IBotStore>();
            Assert.IsType<PostgresBotStore>(store);
            Assert.Same(store, host.Services.GetRequiredService<IServerSettingsStore>());
            await store.RecordQuestionAsync(AddPolicyBotStateTests.Sample("pg-di-1"), CancellationToken.None);
            Assert.Equal("pg-di-1", (await AddPolicyBotStateTests.SingleAsync(store)).AnswerId);
            Assert.False(Directory.Exists(Path.GetDirectoryName(index)), "PostgreSQL mode must not create the SQLite file");
            Assert.Equal(
                host.Services.GetRequiredService<UserIdHasher>().Hash("29:user"),
                replica.Services.GetRequiredService<UserIdHasher>().Hash("29:user")); // one generated salt, shared by every replica
            await Task.WhenAll(host.StopAsync(), replica.StopAsync());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresTestEnvironment.DropSchemaAsync(schema);
        }
    }
}
