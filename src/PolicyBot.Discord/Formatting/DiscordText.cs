using System.Text.RegularExpressions;
using PolicyBot.Core.Text;

namespace PolicyBot.Discord.Formatting;

/// <summary>Discord markup at the edge: mentions stripped from questions, @everyone/@here defused in replies.</summary>
internal static partial class DiscordText
{
    /// <summary>
    /// Strips user/role/channel mentions (including the bot's) and @everyone/@here, then cleans the text once with
    /// Core's <see cref="QuestionText.Clean"/> (zero-width, bidi and control characters out, white space folded).
    /// </summary>
    public static string Normalize(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return "";
        }

        var text = MentionPattern().Replace(content, " ");
        text = EveryonePattern().Replace(text, " ");
        return QuestionText.Clean(text);
    }

    /// <summary>Neutralises @everyone/@here in outgoing text with a zero-width space (allowed_mentions already stops pings).</summary>
    public static string Defuse(string text) => EveryonePattern().Replace(text, m => "@\u200B" + m.Value[1..]);

    [GeneratedRegex(@"<(?:@[!&]?|#)\d+>")]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"@(?:everyone|here)\b")]
    private static partial Regex EveryonePattern();
}
