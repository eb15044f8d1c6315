namespace PolicyBot.Core.Conversation;

/// <summary>Where a question came from. Adapters fill this in; Core never sees platform markup.</summary>
/// <param name="Platform">"cli", "discord", "teams", …</param>
/// <param name="ServerId">Discord guild id or Teams team/tenant id, when there is one.</param>
/// <param name="ChannelId">Channel, thread or conversation id.</param>
/// <param name="UserId">The asker's platform id (hashed before it is stored).</param>
/// <param name="PreviousQuestion">The earlier question in the same thread, used as context for a follow-up.</param>
public sealed record QuestionContext(
    string Platform,
    string? ServerId = null,
    string? ChannelId = null,
    string? UserId = null,
    string? PreviousQuestion = null)
{
    public static QuestionContext Cli { get; } = new("cli");
}

/// <summary>A question with its platform markup already stripped by the adapter.</summary>
public sealed record Question(string Text, QuestionContext Context)
{
    /// <summary>How many citations the answer may carry at most (1–10).</summary>
    public int MaxCitations { get; init; } = 3;
}
