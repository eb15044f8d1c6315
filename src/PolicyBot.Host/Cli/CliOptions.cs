using System.CommandLine;
using Microsoft.Extensions.Logging;
using PolicyBot.Core;
using PolicyBot.Host.Configuration;
using PolicyBot.Search;

namespace PolicyBot.Host.Cli;

/// <summary>The options several verbs share, defined once.</summary>
internal static class CliOptions
{
    public static Option<string[]> Corpus() => new("--corpus")
    {
        Description = "Corpus folder (repeatable; default ./corpus)",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string?> Index() => new("--index")
    {
        Description = "Index folder (default POLICYBOT_INDEX, else .policybot/index; an old-style ….db path means the folder beside it without .db)",
    };

    public static Option<bool> Json() => new("--json") { Description = "Machine-readable JSON output" };

    /// <summary>The settings every verb reads (appsettings.json, .env, the environment), loaded once per process.</summary>
    public static PolicyBotConfiguration Settings => LoadedSettings.Value;

    private static readonly Lazy<PolicyBotConfiguration> LoadedSettings = new(() => PolicyBotConfiguration.Load());

    /// <summary>The index the verb uses: <c>--index</c>, else the Index settings (POLICYBOT_INDEX), else the default.</summary>
    public static string IndexPath(string? index) => string.IsNullOrWhiteSpace(index) ? Settings.Settings.Index.Path : index;

    /// <summary>Engine options from the command line, falling back to the Index settings for what it does not name.</summary>
    public static PolicyBotOptions EngineOptions(string[]? corpus, string? index)
    {
        var options = new PolicyBotOptions { IndexPath = Path.TrimEndingDirectorySeparator(IndexPath(index)) };
        foreach (var c in corpus is { Length: > 0 } ? corpus : (IEnumerable<string>)Settings.Settings.Index.Corpus)
        {
            options.CorpusDirectories.Add(c);
        }

        return options;
    }

    /// <summary>Console logging to standard error (standard output is for answers), warnings and up unless the telemetry settings say otherwise.</summary>
    public static ILoggerFactory CliLoggerFactory() => LoggerFactory.Create(b =>
    {
        b.SetMinimumLevel(Settings.Settings.Telemetry.LogLevel ?? LogLevel.Warning);
        b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = null;
        });
        b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
