using System.CommandLine;
using Microsoft.Extensions.Options;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot serve [--discord] [--teams] [--corpus DIR]... [--index FILE] [--shard-id N --shard-count M]</c>:
/// runs the enabled platforms (those named, else those <c>.env</c> has credentials for) in one host with
/// /healthz, /readyz and /metrics on <c>POLICYBOT_HTTP_URL</c>. A bad configuration stops it at once with
/// exit code 2 and a message naming each setting to fix.
/// </summary>
internal static class ServeCommand
{
    public const int ConfigurationExitCode = 2;

    public static Command Create()
    {
        var corpus = CliOptions.Corpus();
        var index = CliOptions.Index();
        var discord = new Option<bool>("--discord") { Description = "Serve Discord (DISCORD_TOKEN, DISCORD_APPLICATION_ID)" };
        var teams = new Option<bool>("--teams") { Description = "Serve Teams on POLICYBOT_HTTP_URL /api/messages (TEAMS_APP_ID, TEAMS_APP_PASSWORD, …)" };
        var shardId = new Option<int?>("--shard-id") { Description = "This process's Discord shard (0-based); with --shard-count" };
        var shardCount = new Option<int?>("--shard-count") { Description = "Total Discord shards across all processes" };
        var command = new Command("serve", "Run the bot: Discord and/or Teams, live corpus reload, audit trail, /healthz /readyz /metrics")
        {
            discord, teams, corpus, index, shardId, shardCount,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new ServeSettings
            {
                Engine = CliOptions.EngineOptions(parse.GetValue(corpus), parse.GetValue(index)),
                ShardId = parse.GetValue(shardId),
                ShardCount = parse.GetValue(shardCount),
            };
            try
            {
                await using var app = ServeHost.Build(settings, parse.GetValue(discord), parse.GetValue(teams));
                await app.RunAsync(ct);
                return Environment.ExitCode;
            }
            catch (ServeConfigurationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ConfigurationExitCode;
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync(ConfigurationMessage(ex.Failures));
                return ConfigurationExitCode;
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
            {
                await Console.Error.WriteLineAsync(ConfigurationMessage(ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)));
                return ConfigurationExitCode;
            }
            catch (InvalidOperationException ex) when (ex.Source?.StartsWith("PolicyBot", StringComparison.Ordinal) == true)
            {
                // Setting parsers (e.g. POLICYBOT_AUDIT_DAYS) throw with a message naming the setting.
                await Console.Error.WriteLineAsync("PolicyBot cannot start:" + Environment.NewLine + "  - " + ex.Message);
                return ConfigurationExitCode;
            }
        });
        return command;
    }

    internal static string ConfigurationMessage(IEnumerable<string> failures) =>
        "PolicyBot cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, failures.Distinct().Select(f => "  - " + f));
}
