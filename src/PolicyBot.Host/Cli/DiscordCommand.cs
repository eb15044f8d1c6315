using System.CommandLine;
using PolicyBot.Discord;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot discord register-commands [--guild ID] [--file PATH]</c> and <c>policybot discord invite-url</c>.
/// Settings come from the Discord section of the settings every verb reads (DISCORD_TOKEN, DISCORD_APPLICATION_ID,
/// DISCORD_API_BASE_URL in the environment, .env or appsettings.json).
/// </summary>
internal static class DiscordCommand
{
    public static Command Create()
    {
        var command = new Command("discord", "Discord setup: register slash commands, print the install URL");

        var guild = new Option<string?>("--guild") { Description = "Register in one guild only (instant; for testing) instead of globally" };
        var file = new Option<string>("--file")
        {
            Description = "The commands manifest (a JSON array of application commands)",
            DefaultValueFactory = _ => Path.Combine("bot-manifests", "discord", "commands.json"),
        };
        var register = new Command("register-commands", "Bulk-overwrite the bot's slash commands from the manifest (PUT; waits out rate limits)") { guild, file };
        register.SetAction(async (parseResult, ct) =>
        {
            var options = CliOptions.Settings.Settings.Discord;
            return await DiscordSetup.RegisterCommandsAsync(options, parseResult.GetValue(file)!, parseResult.GetValue(guild), Console.Out, ct);
        });

        var invite = new Command("invite-url", "Print the OAuth2 URL that installs the bot with the permissions it needs");
        invite.SetAction(parseResult =>
        {
            var options = CliOptions.Settings.Settings.Discord;
            if (options.ApplicationId is null)
            {
                Console.Error.WriteLine("DISCORD_APPLICATION_ID is not set: put the application id from the Developer Portal in the environment or .env.");
                return 2;
            }

            // Permissions: VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, READ_MESSAGE_HISTORY, CREATE_PUBLIC_THREADS,
            // SEND_MESSAGES_IN_THREADS (see DiscordSetup.BotPermissions); scopes: bot applications.commands.
            Console.Out.WriteLine(DiscordSetup.InviteUrl(options.ApplicationId));
            return 0;
        });

        command.Subcommands.Add(register);
        command.Subcommands.Add(invite);
        return command;
    }

}
