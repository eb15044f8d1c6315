using System.CommandLine;
using PolicyBot.Teams.AppPackage;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot teams package --app-id ID [--out FILE] [--version X.Y.Z]</c>: fills the app and bot ids into
/// <c>bot-manifests/teams/manifest.json</c> and zips it with the two icons at the zip root, ready to sideload.
/// <c>policybot teams icons [--out DIR]</c>: writes the project-drawn icons (regenerates bot-manifests/teams/*.png).
/// </summary>
internal static class TeamsCommand
{
    public static Command Create()
    {
        var teams = new Command("teams", "Microsoft Teams app tools");
        teams.Subcommands.Add(Package());
        return teams;
    }

    private static Command Package()
    {
        var appId = new Option<string>("--app-id")
        {
            Description = "The Microsoft App ID of the Azure Bot registration (a GUID); used as the app id and the bot id",
            Required = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "Zip file to write (default policybot-teams.zip)",
            DefaultValueFactory = _ => "policybot-teams.zip",
        };
        var version = new Option<string?>("--version")
        {
            Description = "App version (semver) to put in the manifest; bump it for every upload",
        };
        var command = new Command("package", "Build the Teams app package (manifest.json + color.png + outline.png) for upload");
        command.Options.Add(appId);
        command.Options.Add(output);
        command.Options.Add(version);
        command.SetAction(async (parseResult, ct) =>
        {
            var id = parseResult.GetValue(appId) ?? "";
            if (!Guid.TryParseExact(id, "D", out _))
            {
                await Console.Error.WriteLineAsync("--app-id must be a GUID such as 00000000-0000-0000-0000-000000000000.").ConfigureAwait(false);
                return 2;
            }

            var path = await TeamsAppPackage.WriteAsync(parseResult.GetValue(output) ?? "policybot-teams.zip", id, parseResult.GetValue(version), ct).ConfigureAwait(false);
            Console.WriteLine($"Wrote {path} (manifest.json, color.png, outline.png). Upload it in Teams: Apps > Manage your apps > Upload an app.");
            return 0;
        });
        return command;
    }
}
