using System.Text.Json.Serialization;

namespace PolicyBot.Search;

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class SearchJsonContext : JsonSerializerContext;
