namespace PolicyBot.Core.Text;

/// <summary>
/// Splits prose into sentences, returning spans into the original text (trimmed of surrounding white space and
/// list bullets). A boundary is [.!?…。！？] (with closing quotes or brackets) followed by white space and a
/// sentence start, or a line break that starts a list item, heading or new line of a block. Common
/// abbreviations, initials and decimals do not end a sentence.
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "cf", "al", "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "art", "arts", "para",
        "paras", "fig", "vol", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "p.r.c", "approx", "est", "dept", "gov", "govt",
        "jr", "sr", "rev", "gen", "sec", "ch", "pp", "op", "ed", "eds",
    };

    public static List<(int Start, int Length)> Split(string text) => Split(text, 0, text.Length);

    public static List<(int Start, int Length)> Split(string text, int start, int length)
    {
        var result = new List<(int, int)>();
        var end = start + length;
        var sentenceStart = start;
        var i = start;
        while (i < end)
        {
            var c = text[i];
            if (c == '\n')
            {
                // A line break ends a sentence when the next line starts a list item, a heading, or the current
                // line already ended with terminal punctuation or a colon; inside a wrapped paragraph it does not.
                var next = i + 1;
                while (next < end && (text[next] == ' ' || text[next] == '\t'))
                {
                    next++;
                }

                var prev = i - 1;
                while (prev >= sentenceStart && char.IsWhiteSpace(text[prev]))
                {
                    prev--;
                }

                var lineBreakEnds = next >= end || text[next] == '\n' || StartsListItem(text, next, end) || text[next] == '#' || text[next] == '|'
                    || (prev >= sentenceStart && text[prev] is ':' or ';');
                if (lineBreakEnds)
                {
                    Add(text, sentenceStart, i, result);
                    sentenceStart = i + 1;
                }

                i++;
                continue;
            }

            if (c is '.' or '!' or '?' or '…' or '。' or '！' or '？')
            {
                var j = i + 1;
                while (j < end && text[j] is '.' or '!' or '?' or '"' or '\'' or '”' or '’' or ')' or ']' or '»')
                {
                    j++;
                }

                var cjk = c is '。' or '！' or '？';
                if (j >= end)
                {
                    break;
                }

                if (cjk || (char.IsWhiteSpace(text[j]) && IsBoundary(text, sentenceStart, i, j, end)))
                {
                    Add(text, sentenceStart, j, result);
                    sentenceStart = j;
                    i = j;
                    continue;
                }

                i = j;
                continue;
            }

            i++;
        }

        Add(text, sentenceStart, end, result);
        return result;
    }

    private static bool IsBoundary(string text, int sentenceStart, int punct, int afterPunct, int end)
    {
        var k = afterPunct;
        while (k < end && char.IsWhiteSpace(text[k]))
        {
            k++;
        }

        if (k >= end)
        {
            return true;
        }

        var next = text[k];
        if (char.IsLower(next))
        {
            return false;
        }

        if (text[punct] != '.')
        {
            return true;
        }

        // The word before the full stop.
        var w = punct - 1;
        while (w >= sentenceStart && (char.IsLetterOrDigit(text[w]) || text[w] == '.'))
        {
            w--;
        }

        var word = text.AsSpan(w + 1, punct - w - 1);
        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return false; // an initial: "J. Smith"
        }

        return !Abbreviations.Contains(word.ToString());
    }

    private static bool StartsListItem(string text, int i, int end)
    {
        if (i >= end)
        {
            return false;
        }

        if (text[i] is '-' or '*' or '+' or '•' or '>')
        {
            return i + 1 < end && text[i + 1] == ' ';
        }

        var k = i;
        while (k < end && char.IsAsciiDigit(text[k]))
        {
            k++;
        }

        return k > i && k + 1 < end && text[k] is '.' or ')' && text[k + 1] == ' ';
    }

    private static void Add(string text, int from, int to, List<(int, int)> result)
    {
        while (from < to && (char.IsWhiteSpace(text[from]) || IsBullet(text, from, to)))
        {
            from += IsBullet(text, from, to) ? BulletLength(text, from, to) : 1;
        }

        while (to > from && char.IsWhiteSpace(text[to - 1]))
        {
            to--;
        }

        if (to > from)
        {
            result.Add((from, to - from));
        }
    }

    private static bool IsBullet(string text, int i, int end) => BulletLength(text, i, end) > 0;

    private static int BulletLength(string text, int i, int end)
    {
        if (i + 1 < end && text[i] is '-' or '*' or '+' or '•' or '>' && text[i + 1] == ' ')
        {
            return 2;
        }

        var k = i;
        while (k < end && char.IsAsciiDigit(text[k]))
        {
            k++;
        }

        return k > i && k - i <= 3 && k + 1 < end && text[k] is '.' or ')' && text[k + 1] == ' ' ? k - i + 2 : 0;
    }
}
