using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord;

/// <summary>Operator tasks behind <c>policybot discord register-commands</c> and <c>policybot discord invite-url</c>.</summary>
public static class DiscordSetup
{
    /// <summary>
    /// Permissions the bot asks for when installed, as the OAuth2 <c>permissions</c> integer:
    /// VIEW_CHANNEL (1&lt;&lt;10) to see channels, SEND_MESSAGES (1&lt;&lt;11) to answer, EMBED_LINKS (1&lt;&lt;14) for
    /// citation embeds, READ_MESSAGE_HISTORY (1&lt;&lt;16) to reply to the question, CREATE_PUBLIC_THREADS (1&lt;&lt;35)
    /// to open a thread on an answer, SEND_MESSAGES_IN_THREADS (1&lt;&lt;38) to answer follow-ups there.
    /// Mentioning @everyone is deliberately not requested.
    /// </summary>
    public const ulong BotPermissions =
        (1UL << 10) | (1UL << 11) | (1UL << 14) | (1UL << 16) | (1UL << 35) | (1UL << 38);

    /// <summary>The OAuth2 install URL with the <c>bot applications.commands</c> scopes.</summary>
    public static string InviteUrl(string applicationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(applicationId);
        return "https://discord.com/oauth2/authorize?client_id=" + Uri.EscapeDataString(applicationId)
            + "&scope=bot%20applications.commands&permissions=" + BotPermissions.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Bulk-overwrites the application's commands (global, or one guild's) with the JSON array in
    /// <paramref name="commandsFile"/> through the REST client (which waits out 429s). Returns a process exit code.
    /// </summary>
    public static async Task<int> RegisterCommandsAsync(DiscordOptions options, string commandsFile, string? guildId, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var problems = new DiscordOptionsValidator().Validate(null, options);
        if (problems.Failed)
        {
            await output.WriteLineAsync(problems.FailureMessage).ConfigureAwait(false);
            return 2;
        }

        if (options.ApplicationId is null)
        {
            await output.WriteLineAsync($"{options.SettingName(nameof(DiscordOptions.ApplicationId))} is not set: configure the application id from the Developer Portal.").ConfigureAwait(false);
            return 2;
        }

        if (!File.Exists(commandsFile))
        {
            await output.WriteLineAsync($"Commands file not found: {commandsFile}").ConfigureAwait(false);
            return 2;
        }

        JsonElement commands;
        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(commandsFile, cancellationToken).ConfigureAwait(false));
            commands = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            await output.WriteLineAsync($"{commandsFile} is not valid JSON: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        if (commands.ValueKind != JsonValueKind.Array)
        {
            await output.WriteLineAsync($"{commandsFile} must hold a JSON array of application commands.").ConfigureAwait(false);
            return 2;
        }

        using var metrics = new DiscordMetrics();
        // The same client the bot uses (IHttpClientFactory, the resilience pipeline, no request logging).
        var services = new ServiceCollection().AddLogging();
        DiscordHttp.Add(services);
        await using var provider = services.BuildServiceProvider();
        using var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(DiscordHttp.ClientName);
        var rest = new DiscordRestClient(http, options, TimeProvider.System, NullLogger.Instance, metrics);
        try
        {
            var result = await rest.BulkOverwriteCommandsAsync(options.ApplicationId, guildId, commands, cancellationToken).ConfigureAwait(false);
            var names = result.ValueKind == JsonValueKind.Array
                ? string.Join(", ", result.EnumerateArray().Select(c => c.TryGetProperty("name", out var n) ? "/" + n.GetString() : "?"))
                : "";
            await output.WriteLineAsync($"Registered {commands.GetArrayLength()} commands {(guildId is null ? "globally" : $"in guild {guildId}")}: {names}").ConfigureAwait(false);
            return 0;
        }
        catch (DiscordHttpException ex)
        {
            var hint = ex.Status == HttpStatusCode.Unauthorized ? $" Check {options.SettingName(nameof(DiscordOptions.Token))}."
                : ex.Status == HttpStatusCode.Forbidden ? $" Check {options.SettingName(nameof(DiscordOptions.ApplicationId))} and that the bot is in the guild." : "";
            await output.WriteLineAsync(ex.Message + hint).ConfigureAwait(false);
            return 1;
        }
    }
}
