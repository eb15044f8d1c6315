using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Core.Text;
using PolicyBot.Teams.Protocol;
using PolicyBot.Teams.Turns;
using PolicyBot.Teams.Turns.Commands;

namespace PolicyBot.Teams.Translation;

/// <summary>
/// Inbound activities into turns: the bot's mention stripped (Teams markup stays at the edge, as botbuilder's
/// <c>NormalizeMentionsMiddleware</c> does), text cleaned once, commands recognised, card submissions read.
/// </summary>
internal static partial class ActivityTranslator
{
    [GeneratedRegex(@"</?at>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AtTagRegex();

    /// <summary>Whether a reply can be sent: an absolute http(s) service URL and a conversation id.</summary>
    public static bool CanReply(Activity a) =>
        Uri.TryCreate(a.ServiceUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(a.Conversation?.Id);

    /// <summary>Removes the bot's own mention (found through the mention entities, never by name) and unwraps other <c>&lt;at&gt;</c> tags.</summary>
    public static (string Text, bool BotMentioned) StripBotMention(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var text = activity.Text ?? "";
        var botMentioned = false;
        foreach (var entity in activity.Entities ?? [])
        {
            if (!string.Equals(Str(entity["type"]), "mention", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var mentionedId = Str((entity["mentioned"] as JsonObject)?["id"]);
            var mentionText = Str(entity["text"]);
            if (mentionedId is null || activity.Recipient?.Id is null || !string.Equals(mentionedId, activity.Recipient.Id, StringComparison.Ordinal))
            {
                continue;
            }

            botMentioned = true;
            if (!string.IsNullOrEmpty(mentionText))
            {
                text = text.Replace(mentionText, " ", StringComparison.Ordinal);
            }
        }

        text = AtTagRegex().Replace(text, "").Replace("&nbsp;", " ", StringComparison.Ordinal);
        return (QuestionText.Clean(text), botMentioned);
    }

    /// <summary>"/sources", "about", "help", "ask …" or a plain question.</summary>
    public static TeamsTurn ParseCommand(Activity activity, string text, TeamsCommands commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var bare = text.TrimStart('/');
        if (bare.Length == 0)
        {
            return new TeamsTurn(activity, TurnKind.Command, Command: TeamsCommands.Help);
        }

        var space = bare.IndexOf(' ', StringComparison.Ordinal);
        var word = (space < 0 ? bare : bare[..space]).ToLowerInvariant();
        var rest = space < 0 ? "" : bare[(space + 1)..].Trim();
        if (word == "ask" && rest.Length > 0)
        {
            return new TeamsTurn(activity, TurnKind.Question, rest);
        }

        return space < 0 && commands.Find(word) is not null
            ? new TeamsTurn(activity, TurnKind.Command, Command: word)
            : new TeamsTurn(activity, TurnKind.Question, text);
    }

    /// <summary>An Adaptive Card <c>Action.Submit</c>: a question, or a command named by <c>action</c>/<c>verb</c>.</summary>
    public static TeamsTurn? CardSubmission(Activity activity, JsonObject data, TeamsCommands commands)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(commands);
        if (Str(data["question"]) is { Length: > 0 } question)
        {
            return new TeamsTurn(activity, TurnKind.Question, question);
        }

        return Str(data["action"] ?? data["verb"]) is { } name && name != TeamsCommands.Help && commands.Find(name) is not null
            ? new TeamsTurn(activity, TurnKind.Command, Command: name)
            : null;
    }

    public static string? Str(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
