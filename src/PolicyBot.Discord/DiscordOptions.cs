using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PolicyBot.Discord;

/// <summary>
/// Discord settings, bound from configuration keys with exactly these names: <c>DISCORD_TOKEN</c>,
/// <c>DISCORD_APPLICATION_ID</c>, <c>DISCORD_API_BASE_URL</c>; shards from <c>POLICYBOT_SHARD_ID</c> /
/// <c>POLICYBOT_SHARD_COUNT</c> (a number or <c>auto</c>). The gateway URL always comes from <c>GET /gateway/bot</c>.
/// </summary>
public sealed class DiscordOptions
{
    public const string DefaultApiBaseUrl = "https://discord.com/api/v10";

    /// <summary>The bot token (without the "Bot " prefix). Never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>The application id (needed to register commands; otherwise learnt from READY).</summary>
    public string? ApplicationId { get; set; }

    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>How long questions are kept (<c>POLICYBOT_AUDIT_DAYS</c>), for the notice in /about.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>This process's shard id, or null to run every shard of <see cref="ShardCount"/>.</summary>
    public int? ShardId { get; set; }

    /// <summary>The total number of shards, or null for the count recommended by /gateway/bot.</summary>
    public int? ShardCount { get; set; }

    /// <summary>Gateway intents; default GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT (37377).</summary>
    public int Intents { get; set; } = 37377;

    /// <summary>How many questions are answered at once (answering never runs on the gateway receive loop).</summary>
    public int MaxConcurrentAnswers { get; set; } = 8;

    /// <summary>Open a thread on the bot's reply in guild text channels so follow-ups need no mention.</summary>
    public bool UseThreads { get; set; } = true;

    /// <summary>How many citations an answer carries at most.</summary>
    public int MaxCitations { get; set; } = 3;

    /// <summary>Reads the DISCORD_* and POLICYBOT_SHARD_* keys from <paramref name="configuration"/>.</summary>
    public static DiscordOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new DiscordOptions();
        Bind(options, configuration);
        return options;
    }

    internal static void Bind(DiscordOptions options, IConfiguration configuration)
    {
        options.Token = configuration["DISCORD_TOKEN"]?.Trim() ?? "";
        options.ApplicationId = Blank(configuration["DISCORD_APPLICATION_ID"]);
        options.ApiBaseUrl = Blank(configuration["DISCORD_API_BASE_URL"]) ?? DefaultApiBaseUrl;
        options.AuditRetention = PolicyBot.Core.Commands.PrivacyNotice.RetentionFrom(configuration["POLICYBOT_AUDIT_DAYS"]);
        options.ShardId = ParseShard(configuration["POLICYBOT_SHARD_ID"]);
        options.ShardCount = ParseShard(configuration["POLICYBOT_SHARD_COUNT"]);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int? ParseShard(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }
}

/// <summary>Checks <see cref="DiscordOptions"/> at start; messages name the variable and never echo the token.</summary>
internal sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add("DISCORD_TOKEN is not set: put the bot token from the Discord Developer Portal (Bot page) in the environment or .env.");
        }
        else if (options.Token.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("DISCORD_TOKEN must be the bare token, without the 'Bot ' prefix.");
        }
        else if (options.Token.Any(char.IsWhiteSpace))
        {
            failures.Add("DISCORD_TOKEN contains whitespace; copy the token again from the Developer Portal.");
        }

        if (options.ApplicationId is { } app && !ulong.TryParse(app, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            failures.Add("DISCORD_APPLICATION_ID must be the numeric application id (a snowflake) from the Developer Portal.");
        }

        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("DISCORD_API_BASE_URL must be an absolute http(s) URL such as https://discord.com/api/v10.");
        }
        else if (!baseUri.AbsolutePath.TrimEnd('/').EndsWith("/v10", StringComparison.Ordinal))
        {
            failures.Add("DISCORD_API_BASE_URL must end with /api/v10 (PolicyBot speaks Discord API v10).");
        }

        if (options.ShardCount is < 1)
        {
            failures.Add("POLICYBOT_SHARD_COUNT must be a positive number or 'auto'.");
        }

        if (options.ShardId is < 0 || (options.ShardId is { } id && options.ShardCount is { } count && id >= count))
        {
            failures.Add("POLICYBOT_SHARD_ID must be a number from 0 to POLICYBOT_SHARD_COUNT-1, or 'auto'.");
        }

        if (options.MaxConcurrentAnswers < 1)
        {
            failures.Add("MaxConcurrentAnswers must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
