using System.Globalization;
using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.Answering;

/// <summary>One verbatim sentence of an answer and the citation it came from.</summary>
public sealed record Extract(string Text, Citation Citation);

/// <summary>Reads the verbatim extracts back out of an answer ("sentence [n] sentence [m]") and out of cited passages.</summary>
public static partial class Extracts
{
    /// <summary>The answer's sentences in order, each with the citation its marker names (markers that name none are dropped).</summary>
    public static IReadOnlyList<Extract> Of(Answer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (!answer.Answered)
        {
            return [];
        }

        var result = new List<Extract>();
        foreach (Match m in Sentence().Matches(answer.Text))
        {
            var rank = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            var citation = answer.Citations.FirstOrDefault(c => c.Rank == rank);
            var text = m.Groups[1].Value.Trim();
            if (citation is not null && text.Length > 0)
            {
                result.Add(new Extract(text, citation));
            }
        }

        return result;
    }

    /// <summary>The sentences of <paramref name="text"/> ("sentence [n] sentence [m]") that end with marker <paramref name="rank"/>, joined.</summary>
    public static string SentencesFor(string text, int rank)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = Sentence().Matches(text)
            .Where(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) == rank)
            .Select(m => m.Groups[1].Value.Trim())
            .Where(s => s.Length > 0);
        return string.Join(' ', parts);
    }

    /// <summary>The sentences of a cited passage as shown (Markdown markers removed), in order; headings and list markers left out.</summary>
    public static IReadOnlyList<string> SentencesOf(string passage)
    {
        var result = new List<string>();
        foreach (var line in passage.Split('\n'))
        {
            var l = ListMarker().Replace(line, "").Trim();
            if (l.Length == 0 || l.StartsWith('#'))
            {
                continue;
            }

            foreach (var s in SentenceBreak().Split(l))
            {
                var shown = AnswerComposer.Display(s);
                if (shown.Length >= 20 && shown.Count(char.IsWhiteSpace) >= 3)
                {
                    result.Add(shown);
                }
            }
        }

        return result;
    }

    /// <summary>At most <paramref name="max"/> characters, cut at a word with an ellipsis, so a cut extract stays a verbatim prefix.</summary>
    public static string Shorten(string text, int max)
    {
        text = text.Trim();
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', Math.Max(0, max - 1));
        if (cut < max / 2)
        {
            cut = max - 1;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }
        }

        return text[..cut].TrimEnd(' ', ',', ';', ':') + "…";
    }

    [GeneratedRegex(@"(.+?) \[(\d{1,3})\](?= |$)", RegexOptions.CultureInvariant)]
    private static partial Regex Sentence();

    // Ends of sentences: ., ! or ? (optionally closing a quote or bracket) before a space and a capital, digit or quote.
    [GeneratedRegex(@"(?<=[.!?][""”')\]]?)\s+(?=[\p{Lu}\p{N}""“(])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"^\s*(?:[-*+]|\d+[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();
}
