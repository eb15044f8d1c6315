using System.Text.Json;
using DotNetEnv;
using DotNetEnv.Configuration;
using Microsoft.Extensions.Configuration;

namespace PolicyBot.Host.Configuration;

/// <summary>
/// Assembles the settings every verb reads, lowest precedence first: an optional <c>appsettings.json</c> (sections
/// as in <see cref="PolicyBotSettings"/>), then the flat names of <see cref="SettingKeys"/> from <c>.env</c> (read by
/// DotNetEnv as a configuration source, never written into the process environment), the real environment
/// (which wins over .env) and the caller's overrides. Problems name the setting, never its value.
/// </summary>
internal sealed class PolicyBotConfiguration
{
    public const string EnvFileName = ".env";
    public const string JsonFileName = "appsettings.json";

    private PolicyBotConfiguration(IConfigurationRoot configuration, PolicyBotSettings settings, IReadOnlyList<string> problems)
    {
        Configuration = configuration;
        Settings = settings;
        Problems = problems;
    }

    /// <summary>The sectioned configuration (<c>Discord:Token</c>, …) the host's options are bound from.</summary>
    public IConfigurationRoot Configuration { get; }

    public PolicyBotSettings Settings { get; }

    /// <summary>Problems found while reading (malformed values, unreadable files); validation adds the rest.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <param name="directory">Where .env and appsettings.json are looked for (the working directory).</param>
    /// <param name="overrides">Flat settings that win over everything (tests, command-line options).</param>
    /// <param name="readEnvironment">False: ignore the process environment (tests).</param>
    public static PolicyBotConfiguration Load(string? directory = null, IEnumerable<KeyValuePair<string, string?>>? overrides = null, bool readEnvironment = true)
    {
        directory ??= Directory.GetCurrentDirectory();
        var problems = new List<string>();

        var flatBuilder = new ConfigurationBuilder();
        var envFile = Path.Combine(directory, EnvFileName);
        if (File.Exists(envFile))
        {
            flatBuilder.AddDotNetEnv(envFile, new LoadOptions(setEnvVars: false, clobberExistingVars: false, onlyExactPath: true));
        }

        if (readEnvironment)
        {
            flatBuilder.AddEnvironmentVariables();
        }

        flatBuilder.AddInMemoryCollection(overrides ?? []);
        IConfigurationRoot flat;
        try
        {
            flat = flatBuilder.Build();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // DotNetEnv's parse errors quote the line; report where, not what.
            problems.Add($"{EnvFileName} could not be read ({ex.GetType().Name}): check its KEY=value lines and quoting.");
            var fallback = new ConfigurationBuilder();
            if (readEnvironment)
            {
                fallback.AddEnvironmentVariables();
            }

            flat = fallback.AddInMemoryCollection(overrides ?? []).Build();
        }

        var mapped = new List<KeyValuePair<string, string?>>();
        foreach (var setting in SettingKeys.All)
        {
            var (entries, problem) = SettingKeys.Convert(setting, flat[setting.Name]);
            if (problem is not null)
            {
                problems.Add(problem);
            }

            mapped.AddRange(entries);
        }

        var builder = new ConfigurationBuilder();
        var json = Path.Combine(directory, JsonFileName);
        if (File.Exists(json))
        {
            if (IsJsonObject(json))
            {
                builder.AddJsonFile(json, optional: true, reloadOnChange: false);
            }
            else
            {
                problems.Add($"{JsonFileName} is not a valid JSON object; fix or remove it.");
            }
        }

        builder.AddInMemoryCollection(mapped);
        var configuration = builder.Build();
        var settings = PolicyBotSettings.Bind(configuration, problems);
        return new PolicyBotConfiguration(configuration, settings, problems);
    }

    private static bool IsJsonObject(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
