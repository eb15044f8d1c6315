using System.Text;
using System.Text.RegularExpressions;

namespace PolicyBot.Discord.Formatting;

/// <summary>Turns Discord message content into a plain question: mentions and invisible characters removed.</summary>
internal static partial class DiscordText
{
    /// <summary>Strips user/role/channel mentions (including the bot's), @everyone/@here, zero-width and control characters.</summary>
    public static string Normalize(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return "";
        }

        var text = MentionPattern().Replace(content, " ");
        text = EveryonePattern().Replace(text, " ");
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsInvisible(rune))
            {
                continue;
            }

            builder.Append(Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) ? " " : rune.ToString());
        }

        return WhitespacePattern().Replace(builder.ToString(), " ").Trim();
    }

    /// <summary>Neutralises @everyone/@here in outgoing text with a zero-width space (allowed_mentions already stops pings).</summary>
    public static string Defuse(string text) => EveryonePattern().Replace(text, m => "@\u200B" + m.Value[1..]);

    private static bool IsInvisible(Rune rune) => rune.Value is
        0x200B or 0x200C or 0x200D or 0x200E or 0x200F or 0x2060 or 0x2061 or 0x2062 or 0x2063 or 0x2064 or 0xFEFF or 0x00AD or 0x180E
        || (rune.Value >= 0x202A && rune.Value <= 0x202E) || (rune.Value >= 0x2066 && rune.Value <= 0x2069);

    [GeneratedRegex(@"<(?:@[!&]?|#)\d+>")]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"@(?:everyone|here)\b")]
    private static partial Regex EveryonePattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespacePattern();
}
