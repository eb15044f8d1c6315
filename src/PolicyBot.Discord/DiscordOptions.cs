using System.Globalization;
using Microsoft.Extensions.Options;

namespace PolicyBot.Discord;

/// <summary>
/// Discord settings, bound by the host from its Discord settings section (property names as keys).
/// The gateway URL always comes from <c>GET /gateway/bot</c>.
/// </summary>
public sealed class DiscordOptions
{
    public const string DefaultApiBaseUrl = "https://discord.com/api/v10";

    /// <summary>The bot token (without the "Bot " prefix). Never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>The application id (needed to register commands; otherwise learnt from READY).</summary>
    public string? ApplicationId { get; set; }

    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>
    /// How an operator message names one of these options (by property name, e.g. <c>nameof(Token)</c>): the host,
    /// which alone knows its configuration keys, maps it to the key the operator sets; on its own the library names
    /// the typed option (<c>DiscordOptions.Token</c>). Not bound from configuration.
    /// </summary>
    public Func<string, string> SettingName { get; set; } = static property => nameof(DiscordOptions) + "." + property;

    /// <summary>How long questions are kept (the audit retention), for the notice in /about.</summary>
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

    /// <summary>
    /// Start-up checks; the problems (empty when valid) name each property in braces (<c>{Token}</c>), which the
    /// host replaces with its setting name. The token is never echoed.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(Token))
        {
            failures.Add("{Token} is not set: put the bot token from the Discord Developer Portal (Bot page) in the environment or .env.");
        }
        else if (Token.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("{Token} must be the bare token, without the 'Bot ' prefix.");
        }
        else if (Token.Any(char.IsWhiteSpace))
        {
            failures.Add("{Token} contains whitespace; copy the token again from the Developer Portal.");
        }

        if (ApplicationId is { } app && !ulong.TryParse(app, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            failures.Add("{ApplicationId} must be the numeric application id (a snowflake) from the Developer Portal.");
        }

        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("{ApiBaseUrl} must be an absolute http(s) URL such as https://discord.com/api/v10.");
        }
        else if (!baseUri.AbsolutePath.TrimEnd('/').EndsWith("/v10", StringComparison.Ordinal))
        {
            failures.Add("{ApiBaseUrl} must end with /api/v10 (PolicyBot speaks Discord API v10).");
        }

        if (ShardCount is < 1)
        {
            failures.Add("{ShardCount} must be a positive number or 'auto'.");
        }

        if (ShardId is < 0 || (ShardId is { } id && ShardCount is { } count && id >= count))
        {
            failures.Add("{ShardId} must be a number from 0 to {ShardCount} - 1, or 'auto'.");
        }

        if (MaxConcurrentAnswers < 1)
        {
            failures.Add("{MaxConcurrentAnswers} must be at least 1.");
        }

        return failures;
    }
}

/// <summary>Checks <see cref="DiscordOptions"/> at start; messages name the variable and never echo the token.</summary>
internal sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
