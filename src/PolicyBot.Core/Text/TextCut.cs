namespace PolicyBot.Core.Text;

/// <summary>
/// Shortening text for a platform limit, in one place: <see cref="Truncate"/> for what a reader sees (word boundary,
/// ellipsis), <see cref="Clip"/> for what is stored (hard cut). Neither cuts a surrogate pair in half.
/// Hand-written: the BCL has no boundary-aware truncation.
/// </summary>
public static class TextCut
{
    /// <summary>How far back from the limit a word boundary is looked for before cutting inside a word.</summary>
    private const int WordLookBack = 40;

    /// <summary>
    /// At most <paramref name="max"/> UTF-16 code units, trimmed; when cut, cut at the last space within the last
    /// 40 characters (else inside the word) and ended with "…".
    /// </summary>
    public static string Truncate(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length <= max)
        {
            return text;
        }

        if (max < 4)
        {
            return max <= 0 ? "" : "…";
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        var space = text.LastIndexOf(' ', cut - 1, Math.Min(cut, WordLookBack));
        if (space > 0)
        {
            cut = space;
        }

        return text[..cut].TrimEnd() + "…";
    }

    /// <summary>The first <paramref name="max"/> UTF-16 code units (one fewer rather than half a surrogate pair), no ellipsis.</summary>
    public static string Clip(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        if (max <= 0)
        {
            return "";
        }

        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut];
    }
}
