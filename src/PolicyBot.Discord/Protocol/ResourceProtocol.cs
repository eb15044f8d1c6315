using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyBot.Discord.Protocol;

/// <summary>Shared serializer settings: snake_case names, nulls omitted, unknown properties ignored.</summary>
internal static class DiscordJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

internal sealed record DiscordUser
{
    public required string Id { get; init; }

    public string? Username { get; init; }

    public string? GlobalName { get; init; }

    public bool? Bot { get; init; }

    public bool? System { get; init; }
}

internal sealed record GuildMember
{
    public DiscordUser? User { get; init; }

    /// <summary>Total permissions of the member in the channel (interactions only), as a decimal string.</summary>
    public string? Permissions { get; init; }
}

/// <summary>Message types a Q&amp;A bot answers (others are system messages).</summary>
internal enum MessageType
{
    Default = 0,
    Reply = 19,
    ChatInputCommand = 20,
}

/// <summary>Channel types (subset).</summary>
internal enum ChannelType
{
    GuildText = 0,
    Dm = 1,
    GroupDm = 3,
    AnnouncementThread = 10,
    PublicThread = 11,
    PrivateThread = 12,
}

internal sealed record DiscordMessage
{
    public required string Id { get; init; }

    public required string ChannelId { get; init; }

    public string? GuildId { get; init; }

    public DiscordUser? Author { get; init; }

    public GuildMember? Member { get; init; }

    public string? Content { get; init; }

    public int Type { get; init; }

    public bool MentionEveryone { get; init; }

    public IReadOnlyList<DiscordUser>? Mentions { get; init; }

    public string? WebhookId { get; init; }

    public int? ChannelType { get; init; }

    public MessageReference? MessageReference { get; init; }
}

internal sealed record DiscordChannel
{
    public required string Id { get; init; }

    public int Type { get; init; }

    public string? ParentId { get; init; }

    public string? OwnerId { get; init; }
}

/// <summary>A reply target: <c>{"message_id": "...", "fail_if_not_exists": false}</c>.</summary>
internal sealed record MessageReference
{
    public string? MessageId { get; init; }

    public string? ChannelId { get; init; }

    public string? GuildId { get; init; }

    public bool? FailIfNotExists { get; init; }
}

/// <summary>Which mentions in content may ping. PolicyBot always sends <c>{"parse": []}</c>.</summary>
internal sealed record AllowedMentions
{
    public static AllowedMentions None { get; } = new();

    public IReadOnlyList<string> Parse { get; init; } = [];

    public bool RepliedUser { get; init; }
}

internal sealed record EmbedFooter(string Text);

internal sealed record EmbedAuthor(string Name);

internal sealed record EmbedField(string Name, string Value, bool? Inline = null);

internal sealed record Embed
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? Url { get; init; }

    public int? Color { get; init; }

    public EmbedFooter? Footer { get; init; }

    public EmbedAuthor? Author { get; init; }

    public IReadOnlyList<EmbedField>? Fields { get; init; }
}

internal sealed record PartialEmoji(string Name);

/// <summary>A legacy message component: action row (type 1) or button (type 2).</summary>
internal sealed record MessageComponent
{
    public int Type { get; init; }

    public int? Style { get; init; }

    public string? Label { get; init; }

    public PartialEmoji? Emoji { get; init; }

    public string? CustomId { get; init; }

    public string? Url { get; init; }

    public bool? Disabled { get; init; }

    public IReadOnlyList<MessageComponent>? Components { get; init; }
}

/// <summary>Body of create/edit message, webhook execute/edit and message-callback data.</summary>
internal sealed record MessageParams
{
    public string? Content { get; init; }

    public IReadOnlyList<Embed>? Embeds { get; init; }

    public AllowedMentions? AllowedMentions { get; init; } = AllowedMentions.None;

    public MessageReference? MessageReference { get; init; }

    public IReadOnlyList<MessageComponent>? Components { get; init; }

    public int? Flags { get; init; }

    public string? Nonce { get; init; }

    public bool? EnforceNonce { get; init; }
}

internal static class MessageFlags
{
    public const int SuppressEmbeds = 1 << 2;
    public const int Ephemeral = 1 << 6;
}

internal enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    ApplicationCommandAutocomplete = 4,
    ModalSubmit = 5,
}

internal enum InteractionCallbackType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    DeferredChannelMessageWithSource = 5,
    DeferredUpdateMessage = 6,
    UpdateMessage = 7,
    ApplicationCommandAutocompleteResult = 8,
    Modal = 9,
}

internal enum ApplicationCommandOptionType
{
    SubCommand = 1,
    SubCommandGroup = 2,
    String = 3,
    Integer = 4,
    Boolean = 5,
    User = 6,
    Channel = 7,
    Role = 8,
    Mentionable = 9,
    Number = 10,
    Attachment = 11,
}

internal sealed record ApplicationCommandInteractionDataOption
{
    public required string Name { get; init; }

    public int Type { get; init; }

    public JsonElement? Value { get; init; }

    public IReadOnlyList<ApplicationCommandInteractionDataOption>? Options { get; init; }

    public bool? Focused { get; init; }
}

internal sealed record InteractionData
{
    /// <summary>The command id (a snowflake string) for commands; a numeric component id for components.</summary>
    public JsonElement? Id { get; init; }

    public string? Name { get; init; }

    public int? Type { get; init; }

    public IReadOnlyList<ApplicationCommandInteractionDataOption>? Options { get; init; }

    public string? CustomId { get; init; }

    public int? ComponentType { get; init; }
}

internal sealed record Interaction
{
    public required string Id { get; init; }

    public required string ApplicationId { get; init; }

    public int Type { get; init; }

    public InteractionData? Data { get; init; }

    public string? GuildId { get; init; }

    public string? ChannelId { get; init; }

    public GuildMember? Member { get; init; }

    public DiscordUser? User { get; init; }

    public required string Token { get; init; }

    public DiscordMessage? Message { get; init; }

    /// <summary>The invoker: <c>member.user</c> in guilds, <c>user</c> in DMs.</summary>
    public DiscordUser? Invoker => Member?.User ?? User;
}

internal sealed record ApplicationCommandOptionChoice(string Name, string Value);

internal sealed record AutocompleteCallbackData(IReadOnlyList<ApplicationCommandOptionChoice> Choices);

internal sealed record InteractionResponse<T>(int Type, T? Data);

/// <summary>Discord's JSON error body.</summary>
internal sealed record DiscordErrorBody
{
    public int? Code { get; init; }

    public string? Message { get; init; }

    public double? RetryAfter { get; init; }

    public bool? Global { get; init; }

    public JsonElement? Errors { get; init; }
}
