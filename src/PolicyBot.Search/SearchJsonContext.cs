using System.Text.Json.Serialization;

namespace PolicyBot.Search;

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Core.Conversation.SourceReference))]
[JsonSerializable(typeof(Index.StoredRecord))]
internal sealed partial class SearchJsonContext : JsonSerializerContext;
