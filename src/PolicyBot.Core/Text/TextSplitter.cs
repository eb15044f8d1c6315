namespace PolicyBot.Core.Text;

/// <summary>
/// Splits long text into platform-sized chunks at paragraph, then line, then sentence, then word boundaries,
/// never inside a surrogate pair or a <c>[n]</c> citation marker, closing and reopening a code fence that a cut
/// would leave open. Without code fences the chunks concatenate back to the input exactly.
/// Hand-written: no served library splits chat messages at these boundaries.
/// </summary>
public static class TextSplitter
{
    private const string Fence = "```";

    /// <summary>The longest citation marker kept whole by a hard cut ("[999]").</summary>
    private const int MaxMarkerLength = 5;

    public static IReadOnlyList<string> Split(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 16);
        if (text.Length <= maxLength)
        {
            return [text];
        }

        var hasFences = text.Contains(Fence, StringComparison.Ordinal);
        var room = hasFences ? maxLength - 8 : maxLength; // "```\n" reopened + "\n```" closed
        var chunks = new List<string>();
        var pos = 0;
        var reopen = false;
        while (text.Length - pos > room)
        {
            var cut = FindCut(text, pos, room);
            var chunk = text.Substring(pos, cut);
            pos += cut;
            var prefix = reopen ? Fence + "\n" : "";
            var open = reopen ^ (CountFences(chunk) % 2 == 1);
            chunks.Add(prefix + chunk + (open ? "\n" + Fence : ""));
            reopen = open;
        }

        chunks.Add((reopen ? Fence + "\n" : "") + text[pos..]);
        return chunks;
    }

    /// <summary>
    /// <see cref="Split"/> for platforms that render each part on its own: parts trimmed, empty parts dropped
    /// (joined with single spaces they give back the trimmed input when every cut fell on white space).
    /// </summary>
    public static IReadOnlyList<string> SplitTrimmed(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = Split(text.Trim(), maxLength).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        return parts.Count == 0 ? [""] : parts;
    }

    private static int FindCut(string text, int start, int room)
    {
        var minimum = room / 3;
        var window = text.AsSpan(start, room);

        var paragraph = window.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (paragraph >= minimum)
        {
            return paragraph + 2;
        }

        var line = window.LastIndexOf('\n');
        if (line >= minimum)
        {
            return line + 1;
        }

        var sentence = LastSentenceEnd(window);
        if (sentence >= minimum)
        {
            return sentence;
        }

        var space = window.LastIndexOf(' ');
        if (space >= minimum)
        {
            return space + 1;
        }

        var cut = room;

        // A hard cut must not break a citation marker: cut before an unclosed "[" near the end.
        var open = window.LastIndexOf('[');
        if (open > 0 && open > room - MaxMarkerLength - 1 && !window[open..].Contains(']'))
        {
            return open;
        }

        if (char.IsHighSurrogate(text[start + cut - 1]))
        {
            cut--;
        }

        return cut;
    }

    /// <summary>Index just after the last sentence end (". ", "! ", "? ", "] " or CJK full stops) in the window, or -1.</summary>
    private static int LastSentenceEnd(ReadOnlySpan<char> window)
    {
        for (var i = window.Length - 1; i > 0; i--)
        {
            var c = window[i];
            if (c is '。' or '！' or '？')
            {
                return i + 1;
            }

            if (c == ' ' && window[i - 1] is '.' or '!' or '?' or ']')
            {
                return i + 1;
            }
        }

        return -1;
    }

    private static int CountFences(string chunk)
    {
        var count = 0;
        for (var i = chunk.IndexOf(Fence, StringComparison.Ordinal); i >= 0; i = chunk.IndexOf(Fence, i + Fence.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
