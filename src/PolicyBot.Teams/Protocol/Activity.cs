using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PolicyBot.Teams.Protocol;

/// <summary>Activity types this adapter looks at (compared ordinally, A2011).</summary>
internal static class ActivityTypes
{
    public const string Message = "message";
    public const string ConversationUpdate = "conversationUpdate";
    public const string InstallationUpdate = "installationUpdate";
    public const string Invoke = "invoke";
    public const string Typing = "typing";
}

/// <summary>A Bot Framework activity (the subset a Q&amp;A bot reads or writes). Unknown fields are ignored.</summary>
internal sealed class Activity
{
    public string? Type { get; set; }

    public string? Id { get; set; }

    public string? Timestamp { get; set; }

    public string? ServiceUrl { get; set; }

    public string? ChannelId { get; set; }

    public ChannelAccount? From { get; set; }

    public ChannelAccount? Recipient { get; set; }

    public ConversationAccount? Conversation { get; set; }

    public string? Text { get; set; }

    public string? TextFormat { get; set; }

    public string? Locale { get; set; }

    public string? ReplyToId { get; set; }

    public string? Name { get; set; }

    public string? Action { get; set; }

    public List<Attachment>? Attachments { get; set; }

    public List<JsonObject>? Entities { get; set; }

    public JsonObject? ChannelData { get; set; }

    public JsonNode? Value { get; set; }

    public List<ChannelAccount>? MembersAdded { get; set; }

    public List<ChannelAccount>? MembersRemoved { get; set; }

    /// <summary><c>channelData.tenant.id</c>, else <c>conversation.tenantId</c>.</summary>
    [JsonIgnore]
    public string? TenantId =>
        (ChannelData?["tenant"] as JsonObject)?["id"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : Conversation?.TenantId;

    /// <summary><c>channelData.team.id</c> in team contexts.</summary>
    [JsonIgnore]
    public string? TeamId =>
        (ChannelData?["team"] as JsonObject)?["id"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : null;
}

internal sealed class ChannelAccount
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? AadObjectId { get; set; }

    public string? Role { get; set; }
}

internal sealed class ConversationAccount
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? ConversationType { get; set; }

    public string? TenantId { get; set; }

    public bool? IsGroup { get; set; }
}

internal sealed class Attachment
{
    public string? ContentType { get; set; }

    public JsonNode? Content { get; set; }

    public string? ContentUrl { get; set; }

    public string? Name { get; set; }
}

/// <summary><c>ResourceResponse</c> returned by the Connector.</summary>
internal sealed class ResourceResponse
{
    public string? Id { get; set; }
}

/// <summary>The Connector's error body: <c>{"error":{"code","message"}}</c>.</summary>
internal sealed class ErrorResponse
{
    public ErrorBody? Error { get; set; }
}

internal sealed class ErrorBody
{
    public string? Code { get; set; }

    public string? Message { get; set; }
}

/// <summary>Shared JSON settings for the wire: camelCase, nulls omitted, unknown fields ignored.</summary>
internal static class BotJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
