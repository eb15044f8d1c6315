using System.CommandLine;
using Microsoft.Extensions.Logging;
using PolicyBot.Core;
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

    public static Option<string> Index() => new("--index")
    {
        Description = "Index file (default .policybot/index.db)",
        DefaultValueFactory = _ => PolicyBotOptions.DefaultIndexPath,
    };

    public static Option<bool> Json() => new("--json") { Description = "Machine-readable JSON output" };

    public static PolicyBotOptions EngineOptions(string[]? corpus, string? index)
    {
        var options = new PolicyBotOptions { IndexPath = string.IsNullOrWhiteSpace(index) ? PolicyBotOptions.DefaultIndexPath : index };
        foreach (var c in corpus ?? [])
        {
            options.CorpusDirectories.Add(c);
        }

        return options;
    }

    /// <summary>Console logging to standard error (standard output is for answers), warnings and up unless POLICYBOT_LOG_LEVEL says otherwise.</summary>
    public static ILoggerFactory CliLoggerFactory() => LoggerFactory.Create(b =>
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("POLICYBOT_LOG_LEVEL"), ignoreCase: true, out var l) ? l : LogLevel.Warning;
        b.SetMinimumLevel(level);
        b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = null;
        });
        b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
