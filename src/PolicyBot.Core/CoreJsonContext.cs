using System.Text.Json.Serialization;

namespace PolicyBot.Core;

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;
