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

    /// <summary>
    /// The sentences of <paramref name="text"/> ("sentence [n] sentence [m]") that end with marker
    /// <paramref name="rank"/>, joined; a list's items follow their lead sentence inline ("… four functions: Govern,
    /// Map, Measure, Manage"). An item line with no marker of its own belongs to the marker of its lead.
    /// </summary>
    public static string SentencesFor(string text, int rank)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new System.Text.StringBuilder();
        var leadRank = -1;
        var inList = false;
        foreach (var raw in text.Split('\n'))
        {
            var item = ListItem().Match(raw);
            var line = item.Success ? raw[item.Length..] : raw;
            var matches = Sentence().Matches(line);
            var bare = line.Trim();
            if (!item.Success)
            {
                inList = false;
                foreach (Match m in matches)
                {
                    leadRank = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                    if (leadRank == rank && m.Groups[1].Value.Trim() is { Length: > 0 } s)
                    {
                        sb.Append(sb.Length == 0 ? "" : " ").Append(s);
                    }
                }

                continue;
            }

            // A list item: its own marker, or (none) its lead's.
            var itemRank = matches.Count > 0 ? int.Parse(matches[^1].Groups[2].Value, CultureInfo.InvariantCulture) : leadRank;
            var itemText = matches.Count > 0 ? string.Join(' ', matches.Select(m => m.Groups[1].Value.Trim())) : bare;
            if (itemRank == rank && itemText.Length > 0)
            {
                sb.Append(sb.Length == 0 ? "" : inList ? ", " : " ").Append(itemText);
                inList = true;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The answer as a reader should see its markers: citations of one passage merged into one (the lowest number,
    /// then renumbered 1..n in order), and a list whose items all cite the passage its lead sentence cites keeps the
    /// lead's marker only ("… four functions: [1]" then "• Govern", "• Map" …, not five "[1]").
    /// </summary>
    public static Answer OneMarkerPerPassage(Answer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Citations.Count == 0)
        {
            return answer;
        }

        var keep = answer.Citations.GroupBy(c => c.PassageId, StringComparer.Ordinal).Select(g => g.OrderBy(c => c.Rank).First()).OrderBy(c => c.Rank).ToList();
        var renumber = new Dictionary<int, int>();
        for (var i = 0; i < keep.Count; i++)
        {
            foreach (var c in answer.Citations.Where(c => string.Equals(c.PassageId, keep[i].PassageId, StringComparison.Ordinal)))
            {
                renumber[c.Rank] = i + 1;
            }
        }

        var text = Marker().Replace(answer.Text, m =>
            renumber.TryGetValue(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), out var n) ? $"[{n}]" : m.Value);
        return answer with
        {
            Text = CollapseListMarkers(text),
            Citations = keep.Select((c, i) => c with { Rank = i + 1 }).ToList(),
        };
    }

    /// <summary>Drops " [n]" from list item lines when their lead line ends with the same [n].</summary>
    private static string CollapseListMarkers(string text)
    {
        var lines = text.Split('\n');
        string? lead = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!ListItem().IsMatch(lines[i]))
            {
                var last = Marker().Matches(lines[i]);
                lead = last.Count > 0 && lines[i].TrimEnd().EndsWith(last[^1].Value, StringComparison.Ordinal) ? last[^1].Value : null;
                continue;
            }

            if (lead is not null && lines[i].TrimEnd().EndsWith(" " + lead, StringComparison.Ordinal) && Marker().Matches(lines[i]).Count == 1)
            {
                lines[i] = lines[i].TrimEnd()[..^(lead.Length + 1)];
            }
        }

        return string.Join('\n', lines);
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

    [GeneratedRegex(@"(.+?) \[(\d{1,3})\](?=\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex Sentence();

    [GeneratedRegex(@"\[(\d{1,3})\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    [GeneratedRegex(@"^\s*(?:[•\-*+]|\d+[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();

    // Ends of sentences: ., ! or ? (optionally closing a quote or bracket) before a space and a capital, digit or quote.
    [GeneratedRegex(@"(?<=[.!?][""”')\]]?)\s+(?=[\p{Lu}\p{N}""“(])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"^\s*(?:[-*+]|\d+[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();
}
