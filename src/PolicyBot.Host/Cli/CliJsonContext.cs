using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Host.Cli;

/// <summary>Source-generated serialization for the CLI's JSON output (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<CorpusDocumentInfo>))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Non-ASCII text stays readable (the output is for people and scripts, never embedded in HTML).</summary>
    public static CliJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });
}
