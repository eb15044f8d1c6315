using Microsoft.Extensions.Logging;
using PolicyBot.Host.Configuration;

namespace PolicyBot.Host.Tests.Configuration;

/// <summary>The one settings model: sources, precedence, conversion, and problems that name settings but never values.</summary>
public sealed class PolicyBotConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("policybot-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_NothingConfigured_DefaultsAndNoProblems()
    {
        var loaded = Load([]);

        Assert.Empty(loaded.Problems);
        var s = loaded.Settings;
        Assert.Equal(Path.Combine(".policybot", "index"), s.Index.Path);
        Assert.Empty(s.Index.Corpus);
        Assert.Equal(TimeSpan.FromDays(90), s.Audit.Retention);
        Assert.Null(s.State.UserSalt);
        Assert.Null(s.State.Database);
        Assert.Equal("http://0.0.0.0:3978", s.Http.Url);
        Assert.Equal(5, s.Limits.UserRate.Capacity);
        Assert.Null(s.Telemetry.LogLevel);
        Assert.Empty(s.Validate(discord: false, teams: false, state: true));
    }

    [Fact]
    public void Load_EverySetting_ReachesItsTypedProperty()
    {
        var loaded = Load(new()
        {
            ["POLICYBOT_INDEX"] = " /srv/bot/index.db ",
            ["POLICYBOT_CORPUS"] = string.Join(Path.PathSeparator, "/srv/a", " /srv/b "),
            ["POLICYBOT_LOG_LEVEL"] = "debug",
            ["POLICYBOT_AUDIT_DAYS"] = "30",
            ["POLICYBOT_AUDIT_RAW_IDS"] = "yes",
            ["POLICYBOT_RATE_USER"] = "3/10s",
            ["POLICYBOT_RATE_SHARED"] = "1",
            ["POLICYBOT_DRAIN_SECONDS"] = "40",
            ["POLICYBOT_RELOAD_DEBOUNCE_MS"] = "250",
            ["POLICYBOT_MAX_QUESTION_CHARS"] = "900",
            ["POLICYBOT_SHARD_ID"] = "1",
            ["POLICYBOT_SHARD_COUNT"] = "4",
            ["DISCORD_TOKEN"] = "tok",
            ["TEAMS_LOCAL_MODE"] = "true",
            ["POLICYBOT_HTTP_URL"] = "http://127.0.0.1:4000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1500",
        });

        Assert.Empty(loaded.Problems);
        var s = loaded.Settings;
        Assert.Equal("/srv/bot/index.db", s.Index.Path);
        Assert.Equal(["/srv/a", "/srv/b"], s.Index.Corpus);
        Assert.Equal(LogLevel.Debug, s.Telemetry.LogLevel);
        Assert.Equal(TimeSpan.FromDays(30), s.Audit.Retention);
        Assert.Equal(TimeSpan.FromDays(30), s.Discord.AuditRetention); // one setting, parsed once, every reader
        Assert.Equal(TimeSpan.FromDays(30), s.Teams.AuditRetention);
        Assert.True(s.Audit.RawUserIds);
        Assert.Equal((3, TimeSpan.FromSeconds(10)), (s.Limits.UserRate.Capacity, s.Limits.UserRate.Per));
        Assert.True(s.Limits.SharedRateLimits);
        Assert.Equal(TimeSpan.FromSeconds(40), s.Limits.DrainTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.Limits.ReloadDebounce);
        Assert.Equal(900, s.Limits.MaxQuestionChars);
        Assert.Equal((1, 4), (s.Discord.ShardId, s.Discord.ShardCount));
        Assert.True(s.Teams.LocalMode);
        Assert.Equal("http://127.0.0.1:4000", s.Teams.HttpUrl);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), s.Telemetry.ExportInterval);
    }

    [Theory]
    [InlineData("POLICYBOT_AUDIT_DAYS", "ninety")]
    [InlineData("POLICYBOT_AUDIT_DAYS", "-1")]
    [InlineData("POLICYBOT_AUDIT_DAYS", "99999999999999999999")]
    [InlineData("POLICYBOT_AUDIT_RAW_IDS", "maybe")]
    [InlineData("POLICYBOT_RATE_USER", "lots")]
    [InlineData("POLICYBOT_RATE_CHANNEL", "0/60s")]
    [InlineData("POLICYBOT_ANSWER_QUEUE", "1e3")]
    [InlineData("POLICYBOT_DRAIN_SECONDS", "٣")]
    [InlineData("POLICYBOT_SHARD_ID", "first")]
    [InlineData("POLICYBOT_LOG_LEVEL", "7")]
    [InlineData("POLICYBOT_LOG_LEVEL", "loud")]
    [InlineData("TEAMS_LOCAL_MODE", "'; DROP TABLE secrets; --")]
    public void Load_MalformedValue_NamesTheSettingNeverTheValue(string name, string value)
    {
        var loaded = Load(new() { [name] = value });

        var problem = Assert.Single(loaded.Problems);
        Assert.StartsWith(name, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(value, problem.Replace(name, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManyBadSettings_EveryProblemNamedAtOnceAndNoSecretPrinted()
    {
        const string token = "Bot MTAw.secret-token-value";
        const string password = "hunter2-pass-value";
        const string database = "postgres://bot:pg-s3cret-value@db:notaport/policybot";
        var loaded = Load(new()
        {
            ["DISCORD_TOKEN"] = token,
            ["DISCORD_APPLICATION_ID"] = "not-a-snowflake",
            ["TEAMS_APP_ID"] = "app",
            ["TEAMS_APP_PASSWORD"] = password,
            ["TEAMS_APP_TYPE"] = "SingleTenant",
            ["POLICYBOT_DATABASE"] = database,
            ["POLICYBOT_USER_SALT"] = "short-salt",
            ["POLICYBOT_HTTP_URL"] = "ftp://example/path",
            ["POLICYBOT_MAX_CONCURRENT_ANSWERS"] = "0",
            ["POLICYBOT_AUDIT_DAYS"] = "soon",
        });

        var problems = loaded.Problems.Concat(loaded.Settings.Validate(discord: true, teams: true, state: true)).ToList();
        var all = string.Join("\n", problems);
        foreach (var name in new[] { "DISCORD_TOKEN", "DISCORD_APPLICATION_ID", "TEAMS_TENANT_ID", "POLICYBOT_DATABASE", "POLICYBOT_USER_SALT", "POLICYBOT_HTTP_URL", "POLICYBOT_MAX_CONCURRENT_ANSWERS", "POLICYBOT_AUDIT_DAYS" })
        {
            Assert.Contains(problems, p => p.StartsWith(name, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("{", all, StringComparison.Ordinal); // every property placeholder was mapped to its setting
        foreach (var secret in new[] { "secret-token-value", password, "pg-s3cret-value", "short-salt", "soon" })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_EnvFileAndEnvironmentAndJson_PrecedenceAndTheProcessEnvironmentUntouched()
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), """
            # comment
            export POLICYBOT_AUDIT_DAYS=7
            POLICYBOT_INDEX="/from/env-file.db"
            POLICYBOT_RATE_USER='2/30s'
            DISCORD_APPLICATION_ID=111 # trailing comment
            """);
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), """
            { "Index": { "Path": "/from/json.db" }, "Limits": { "QueueCapacity": 17 }, "Discord": { "ApplicationId": "222" } }
            """);

        var loaded = PolicyBotConfiguration.Load(_folder, new Dictionary<string, string?> { ["POLICYBOT_AUDIT_DAYS"] = "9" }, readEnvironment: false);

        Assert.Empty(loaded.Problems);
        Assert.Equal("/from/env-file.db", loaded.Settings.Index.Path); // .env wins over appsettings.json
        Assert.Equal(17, loaded.Settings.Limits.QueueCapacity); // appsettings.json alone
        Assert.Equal("111", loaded.Settings.Discord.ApplicationId);
        Assert.Equal((2, TimeSpan.FromSeconds(30)), (loaded.Settings.Limits.UserRate.Capacity, loaded.Settings.Limits.UserRate.Per));
        Assert.Equal(TimeSpan.FromDays(9), loaded.Settings.Audit.Retention); // overrides (the environment's place) win over .env
        Assert.Null(Environment.GetEnvironmentVariable("POLICYBOT_RATE_USER")); // DotNetEnv read it as a configuration source only
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public void Load_MalformedJson_NamedWithoutItsContent(string json)
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), json);

        var loaded = PolicyBotConfiguration.Load(_folder, readEnvironment: false);

        Assert.Contains(loaded.Problems, p => p.StartsWith("appsettings.json", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_JsonValueOfTheWrongType_NamesTheSectionNotTheValue()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), """{ "Limits": { "QueueCapacity": "s3cret-ish" } }""");

        var loaded = PolicyBotConfiguration.Load(_folder, readEnvironment: false);

        var problem = Assert.Single(loaded.Problems);
        Assert.Contains("Limits", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-ish", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedEnvFile_NamedWithoutItsContent()
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), "DISCORD_TOKEN=\"unterminated-s3cret\nTEAMS_APP_ID=x\n");

        var loaded = PolicyBotConfiguration.Load(_folder, readEnvironment: false);

        Assert.All(loaded.Problems, p => Assert.DoesNotContain("s3cret", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_HostileAndHugeValues_KeptVerbatimAsText()
    {
        var huge = new string('x', 100_000);
        var loaded = Load(new()
        {
            ["DISCORD_TOKEN"] = "<@123> @everyone ${HOME} $(rm -rf /) 日本語",
            ["TEAMS_TENANT_ID"] = huge,
            ["POLICYBOT_USER_SALT"] = "  salt with spaces and ünïcode  ",
        });

        Assert.Empty(loaded.Problems);
        Assert.Equal("<@123> @everyone ${HOME} $(rm -rf /) 日本語", loaded.Settings.Discord.Token);
        Assert.Equal(huge, loaded.Settings.Teams.TenantId);
        Assert.Equal("  salt with spaces and ünïcode  ", loaded.Settings.State.UserSalt); // secrets are taken exactly as given
    }

    [Fact]
    public void LoadedSettings_LibrariesNameSettingsAsTheOperatorSetsThem()
    {
        // The libraries' operator messages (a rejected token, a fatal close, local mode) name settings through
        // SettingName; only the host knows the keys.
        var loaded = Load([]);
        Assert.Equal("DISCORD_TOKEN", loaded.Settings.Discord.SettingName("Token"));
        Assert.Equal("POLICYBOT_SHARD_ID", loaded.Settings.Discord.SettingName("ShardId"));
        Assert.Equal("TEAMS_APP_ID", loaded.Settings.Teams.SettingName("AppId"));
        Assert.Equal("TEAMS_TOKEN_ENDPOINT", loaded.Settings.Teams.SettingName("TokenEndpoint"));
        Assert.Equal("Discord:Intents", loaded.Settings.Discord.SettingName("Intents")); // no key of its own: the section path
    }

    [Fact]
    public void Describe_MapsPlaceholdersToSettingNamesAndLeavesOtherBracesAlone()
    {
        Assert.Equal("DISCORD_TOKEN is not set", SettingKeys.Describe("Discord", "{Token} is not set"));
        Assert.Equal("Discord:Intents is odd {not a placeholder} {}", SettingKeys.Describe("Discord", "{Intents} is odd {not a placeholder} {}"));
    }

    [Fact]
    public void KeyTable_EveryNameOnceAndEveryTargetAProperty()
    {
        Assert.Equal(SettingKeys.All.Count, SettingKeys.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
        var sections = typeof(PolicyBotSettings).GetProperties().ToDictionary(p => p.Name, p => p.PropertyType);
        foreach (var target in SettingKeys.All.SelectMany(s => s.Targets))
        {
            var (section, property) = (target.Split(':')[0], target.Split(':')[1]);
            Assert.True(sections.TryGetValue(section, out var type), $"{target}: no section {section}");
            Assert.True(type.GetProperty(property) is not null, $"{target}: {type.Name} has no property {property}");
        }
    }

    private PolicyBotConfiguration Load(Dictionary<string, string?> flat) => PolicyBotConfiguration.Load(_folder, flat, readEnvironment: false);
}
