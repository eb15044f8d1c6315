using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PolicyBot.Search;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Discord;
using PolicyBot.State;
using PolicyBot.Teams;

namespace PolicyBot.Host.Configuration;

/// <summary>The index and corpus every verb uses unless its command line names others.</summary>
internal sealed class IndexSettings
{
    public string Path { get; set; } = PolicyBotOptions.DefaultIndexPath;

    public List<string> Corpus { get; set; } = [];

    /// <summary>The semantic stage: "on" (MiniLM beside the lexical ranking) or "off" (lexical alone).</summary>
    public string Semantic { get; set; } = "on";

    /// <summary>How the rankings are fused: "blend", "blend:W", "rrf" or "rrf:K".</summary>
    public string Fusion { get; set; } = "blend";
}

/// <summary>Logging and metrics export.</summary>
internal sealed class TelemetrySettings
{
    /// <summary>Unset: each verb's default (Warning for CLI verbs, Information for serve).</summary>
    public LogLevel? LogLevel { get; set; }

    public string? OtlpEndpoint { get; set; }

    public string? OtlpProtocol { get; set; }

    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Prefix of the host's meter names (appsettings.json <c>Telemetry:MeterScope</c>; default the product's "PolicyBot").
    /// Metric names do not depend on it; it keeps several hosts in one process (tests) from seeing each other's measurements.
    /// </summary>
    public string MeterScope { get; set; } = PolicyBotMetrics.MeterName;
}

/// <summary>The serve listener.</summary>
internal sealed class HttpSettings
{
    public const string DefaultUrl = "http://0.0.0.0:3978";

    public string Url { get; set; } = DefaultUrl;
}

/// <summary>
/// The one options root: a section per concern, bound from configuration that <see cref="PolicyBotConfiguration"/>
/// assembled (appsettings.json, .env, the environment). Every verb reads this.
/// </summary>
internal sealed class PolicyBotSettings
{
    public IndexSettings Index { get; } = new();

    public BotStateOptions State { get; } = new();

    public AuditOptions Audit { get; } = new();

    public DiscordOptions Discord { get; } = new();

    public TeamsOptions Teams { get; } = new();

    public OperationsOptions Limits { get; } = new();

    public TelemetrySettings Telemetry { get; } = new();

    public HttpSettings Http { get; } = new();

    public Admin.AdminOptions Admin { get; } = new();

    /// <summary>Binds each section; a value of the wrong type (from appsettings.json) is a problem naming its section, not the value.</summary>
    public static PolicyBotSettings Bind(IConfiguration configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var settings = new PolicyBotSettings();
        BindSection(configuration, SettingKeys.IndexSection, settings.Index, problems);
        BindSection(configuration, SettingKeys.StateSection, settings.State, problems);
        BindSection(configuration, SettingKeys.AuditSection, settings.Audit, problems);
        BindSection(configuration, SettingKeys.DiscordSection, settings.Discord, problems);
        settings.Discord.SettingName = SettingKeys.NamesIn(SettingKeys.DiscordSection);
        BindSection(configuration, SettingKeys.TeamsSection, settings.Teams, problems);
        settings.Teams.SettingName = SettingKeys.NamesIn(SettingKeys.TeamsSection);
        BindSection(configuration, SettingKeys.LimitsSection, settings.Limits, problems);
        BindSection(configuration, SettingKeys.TelemetrySection, settings.Telemetry, problems);
        BindSection(configuration, SettingKeys.HttpSection, settings.Http, problems);
        BindSection(configuration, SettingKeys.AdminSection, settings.Admin, problems);
        if (settings.Index.Path.Trim().Length == 0)
        {
            settings.Index.Path = PolicyBotOptions.DefaultIndexPath;
        }

        return settings;
    }

    /// <summary>Every problem of the sections a verb reads, each naming its setting; never a value.</summary>
    public IReadOnlyList<string> Validate(bool discord, bool teams, bool state)
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(Http.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.AbsolutePath != "/")
        {
            problems.Add(SettingKeys.Describe(SettingKeys.HttpSection, $"{{Url}} must be an absolute http(s) URL with no path, such as {HttpSettings.DefaultUrl}."));
        }

        problems.AddRange(Limits.Validate().Select(p => SettingKeys.Describe(SettingKeys.LimitsSection, p)));
        problems.AddRange(Audit.Validate().Select(p => SettingKeys.Describe(SettingKeys.AuditSection, p)));
        problems.AddRange(Admin.Validate().Select(p => SettingKeys.Describe(SettingKeys.AdminSection, p)));
        if (state)
        {
            var result = new BotStateOptionsValidator().Validate(null, State);
            problems.AddRange((result.Failures ?? []).Select(p => SettingKeys.Describe(SettingKeys.StateSection, p)));
        }

        if (discord)
        {
            problems.AddRange(Discord.Validate().Select(p => SettingKeys.Describe(SettingKeys.DiscordSection, p)));
        }

        if (teams)
        {
            problems.AddRange(Teams.Validate().Select(p => SettingKeys.Describe(SettingKeys.TeamsSection, p)));
        }

        return problems;
    }

    private static void BindSection(IConfiguration configuration, string section, object target, List<string> problems)
    {
        try
        {
            configuration.GetSection(section).Bind(target);
        }
        catch (InvalidOperationException)
        {
            // The binder's message quotes the offending value, which may be a secret: name the section only.
            problems.Add($"The {section} section of appsettings.json holds a value of the wrong type (a number, duration or true/false was expected).");
        }
    }
}
