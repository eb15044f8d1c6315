namespace PolicyBot.Discord.Formatting;

/// <summary>
/// Splits long text into Discord-sized chunks at paragraph, then line, then sentence, then word boundaries,
/// never inside a surrogate pair, closing and reopening a code fence that a cut would leave open.
/// Without code fences the chunks concatenate back to the input exactly.
/// </summary>
internal static class MessageSplitter
{
    private const string Fence = "```";

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
        if (char.IsHighSurrogate(text[start + cut - 1]))
        {
            cut--;
        }

        return cut;
    }

    /// <summary>Index just after the last sentence end (". ", "! ", "? ", or CJK full stops) in the window, or -1.</summary>
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
