using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyBot.Host.Cli;

/// <summary>One row of <c>policybot corpus list --json</c> (snake_case keys).</summary>
internal sealed record CorpusListEntry(
    string Path,
    string Title,
    string Kind,
    string Source,
    string? Published,
    IReadOnlyList<string> Jurisdictions,
    IReadOnlyList<string> Topics,
    int Passages,
    string LastIndexed);

/// <summary>Source-generated serialization for the CLI's JSON output (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<CorpusListEntry>))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Non-ASCII text stays readable (the output is for people and scripts, never embedded in HTML).</summary>
    public static CliJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });
}
