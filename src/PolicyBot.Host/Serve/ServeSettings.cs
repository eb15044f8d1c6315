using PolicyBot.Core;
using PolicyBot.Core.Operations;
using PolicyBot.Host.Configuration;
using PolicyBot.Search;

namespace PolicyBot.Host.Serve;

/// <summary>What <c>policybot serve</c> runs: its command line, then the settings every verb reads.</summary>
internal sealed class ServeSettings
{
    public bool Discord { get; set; }

    public bool Teams { get; set; }

    public PolicyBotOptions Engine { get; set; } = new();

    public int? ShardId { get; set; }

    public int? ShardCount { get; set; }

    public string HttpUrl { get; set; } = HttpSettings.DefaultUrl;

    public OperationsOptions Operations { get; private set; } = new();

    /// <summary>
    /// Decides the platforms — those named on the command line, else those the settings have credentials for —
    /// and takes the listener and limits from <paramref name="settings"/>. Returns the problems, each naming its
    /// setting or option (never a value that could be a secret).
    /// </summary>
    public IReadOnlyList<string> Bind(PolicyBotSettings settings, bool discordFlag, bool teamsFlag)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<string>();
        if (!discordFlag && !teamsFlag)
        {
            Discord = !string.IsNullOrWhiteSpace(settings.Discord.Token);
            Teams = !string.IsNullOrWhiteSpace(settings.Teams.AppId) || settings.Teams.LocalMode;
            if (!Discord && !Teams && !settings.Admin.Enabled)
            {
                errors.Add(SettingKeys.Describe(SettingKeys.DiscordSection, "No platform to serve: pass --discord and/or --teams, or set {Token}") +
                    SettingKeys.Describe(SettingKeys.TeamsSection, " and/or {AppId} in the environment or .env") +
                    SettingKeys.Describe(SettingKeys.AdminSection, " (or {Token} to serve the /admin dashboard alone)."));
            }
        }
        else
        {
            Discord = discordFlag;
            Teams = teamsFlag;
        }

        HttpUrl = settings.Http.Url;
        if ((ShardId is null) != (ShardCount is null))
        {
            errors.Add("--shard-id and --shard-count go together.");
        }
        else if (ShardId is { } id && ShardCount is { } count && (count < 1 || id < 0 || id >= count))
        {
            errors.Add("--shard-id must be from 0 to --shard-count - 1, and --shard-count at least 1.");
        }

        if ((ShardId is not null) && !Discord)
        {
            errors.Add("--shard-id/--shard-count only apply with Discord (--discord or DISCORD_TOKEN).");
        }

        Operations = settings.Limits;
        if (settings.Limits.MaxQuestionChars is { } chars and >= 10 and <= 100_000)
        {
            Engine.Answering = Engine.Answering with { MaxQuestionLength = chars };
        }

        return errors;
    }
}

/// <summary>The configuration cannot run: each message names the setting to fix.</summary>
internal sealed class ServeConfigurationException(IReadOnlyList<string> problems)
    : Exception("PolicyBot cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
