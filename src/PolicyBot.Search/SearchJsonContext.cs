using System.Text.Json.Serialization;

namespace PolicyBot.Search;

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Core.Conversation.SourceReference))]
internal sealed partial class SearchJsonContext : JsonSerializerContext;
