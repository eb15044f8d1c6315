using System.Globalization;
using Microsoft.Extensions.Configuration;
using PolicyBot.Core;
using PolicyBot.Core.Operations;
using PolicyBot.Search;

namespace PolicyBot.Host.Serve;

/// <summary>What <c>policybot serve</c> runs: from its command line, then the environment / .env.</summary>
internal sealed class ServeSettings
{
    public const string HttpUrlSetting = "POLICYBOT_HTTP_URL";
    public const string DefaultHttpUrl = "http://0.0.0.0:3978";

    public bool Discord { get; set; }

    public bool Teams { get; set; }

    public PolicyBotOptions Engine { get; set; } = new();

    public int? ShardId { get; set; }

    public int? ShardCount { get; set; }

    public string HttpUrl { get; set; } = DefaultHttpUrl;

    public OperationsOptions Operations { get; } = new();

    /// <summary>
    /// Reads the POLICYBOT_* serve settings and decides the platforms: those named on the command line, else
    /// those the configuration has credentials for. Returns the problems, each naming its setting (never a value
    /// that could be a secret).
    /// </summary>
    public IReadOnlyList<string> Bind(IConfiguration configuration, bool discordFlag, bool teamsFlag)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        if (!discordFlag && !teamsFlag)
        {
            Discord = !string.IsNullOrWhiteSpace(configuration["DISCORD_TOKEN"]);
            Teams = !string.IsNullOrWhiteSpace(configuration["TEAMS_APP_ID"]);
            if (!Discord && !Teams)
            {
                errors.Add("No platform to serve: pass --discord and/or --teams, or set DISCORD_TOKEN and/or TEAMS_APP_ID in the environment or .env.");
            }
        }
        else
        {
            Discord = discordFlag;
            Teams = teamsFlag;
        }

        HttpUrl = Value(configuration, HttpUrlSetting) ?? DefaultHttpUrl;
        if (!Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.AbsolutePath != "/")
        {
            errors.Add($"{HttpUrlSetting} must be an absolute http(s) URL with no path, such as {DefaultHttpUrl}.");
        }

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

        var ops = Operations;
        Rate(configuration, OperationsOptions.UserRateSetting, r => ops.UserRate = r, errors);
        Rate(configuration, OperationsOptions.ChannelRateSetting, r => ops.ChannelRate = r, errors);
        Whole(configuration, OperationsOptions.MaxConcurrentSetting, v => ops.MaxConcurrentAnswers = v, errors);
        Whole(configuration, OperationsOptions.QueueSetting, v => ops.QueueCapacity = v, errors);
        Whole(configuration, OperationsOptions.DrainSetting, v => ops.DrainTimeout = TimeSpan.FromSeconds(v), errors);
        Whole(configuration, OperationsOptions.ReloadDebounceSetting, v => ops.ReloadDebounce = TimeSpan.FromMilliseconds(v), errors);
        if (Value(configuration, OperationsOptions.SharedRateSetting) is { } shared)
        {
            switch (shared.ToLowerInvariant())
            {
                case "true" or "1" or "yes":
                    ops.SharedRateLimits = true;
                    break;
                case "false" or "0" or "no":
                    ops.SharedRateLimits = false;
                    break;
                default:
                    errors.Add($"{OperationsOptions.SharedRateSetting} must be true or false.");
                    break;
            }
        }

        if (Value(configuration, "POLICYBOT_MAX_QUESTION_CHARS") is { } max)
        {
            if (int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var chars) && chars is >= 10 and <= 100_000)
            {
                Engine.Answering = Engine.Answering with { MaxQuestionLength = chars };
            }
            else
            {
                errors.Add("POLICYBOT_MAX_QUESTION_CHARS must be a whole number from 10 to 100000.");
            }
        }

        errors.AddRange(ops.Validate());
        return errors.Distinct().ToList();
    }

    private static string? Value(IConfiguration configuration, string key) =>
        string.IsNullOrWhiteSpace(configuration[key]) ? null : configuration[key]!.Trim();

    private static void Rate(IConfiguration configuration, string key, Action<RateLimit> set, List<string> errors)
    {
        if (Value(configuration, key) is not { } text)
        {
            return;
        }

        if (RateLimit.Parse(text) is { Capacity: >= 1 } rate)
        {
            set(rate);
        }
        else
        {
            errors.Add($"{key} must look like 5/60s: a burst size, a slash, and the time to earn one more question (s, m or h).");
        }
    }

    private static void Whole(IConfiguration configuration, string key, Action<int> set, List<string> errors)
    {
        if (Value(configuration, key) is not { } text)
        {
            return;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            set(value);
        }
        else
        {
            errors.Add($"{key} must be a whole number.");
        }
    }
}

/// <summary>The configuration cannot run: each message names the setting to fix.</summary>
internal sealed class ServeConfigurationException(IReadOnlyList<string> problems)
    : Exception("PolicyBot cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
