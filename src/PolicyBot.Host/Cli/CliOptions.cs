using System.CommandLine;
using Microsoft.Extensions.Logging;
using PolicyBot.Core;
using PolicyBot.Host.Configuration;
using PolicyBot.Search;
using PolicyBot.Search.Ranking.Semantic;

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
        var options = new PolicyBotOptions
        {
            IndexPath = Path.TrimEndingDirectorySeparator(IndexPath(index)),
            Semantic = SemanticSetting(Settings.Settings.Index.Semantic, Settings.Settings.Index.Fusion),
        };
        foreach (var c in corpus is { Length: > 0 } ? corpus : (IEnumerable<string>)Settings.Settings.Index.Corpus)
        {
            options.CorpusDirectories.Add(c);
        }

        return options;
    }

    /// <summary>
    /// POLICYBOT_SEMANTIC: <c>off</c> (also false/0/no/none/lexical) for the lexical path alone; <c>always</c> runs the
    /// semantic stage for every question; anything else, or unset, keeps it on for the questions whose best lexical
    /// passage misses a question word (MiniLM beside the lexical ranking, loaded when first needed). POLICYBOT_FUSION: <c>rrf</c> or <c>rrf:K</c> for reciprocal-rank fusion, else the calibrated blend (<c>blend:W</c> sets the semantic weight).
    /// </summary>
    public static SemanticOptions SemanticSetting(string? semantic, string? fusion)
    {
        var mode = (semantic ?? "").Trim().ToLowerInvariant();
        var on = mode switch
        {
            "off" or "false" or "0" or "no" or "none" or "lexical" => false,
            _ => true,
        };
        // "blend" (default), "blend:W" (W the semantic weight, 0–1), "rrf" or "rrf:K".
        var spec = (fusion ?? "").Trim().ToLowerInvariant().Split(':', 2);
        // "always": the stage runs for every question, not only when the lexical best passage misses a question word.
        var options = new SemanticOptions { Enabled = on, Fusion = spec[0] == "rrf" ? SemanticFusion.Rrf : SemanticFusion.Blend, BelowCoverage = mode == "always" ? 2 : 1 };
        if (spec.Length == 2 && double.TryParse(spec[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            options = options.Fusion == SemanticFusion.Blend
                ? options with { BlendWeight = Math.Clamp(value, 0, 1) }
                : options with { RrfK = (int)Math.Clamp(value, 1, 1000) };
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
