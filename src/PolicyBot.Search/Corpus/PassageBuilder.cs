using PolicyBot.Core.Text;

namespace PolicyBot.Search.Corpus;

/// <summary>A structural block of a document (paragraph, list item, quote) under its heading path.</summary>
public readonly record struct TextBlock(string Section, int Start, int End);

/// <summary>
/// Turns blocks into passages: short neighbours under the same heading are merged up to a target size, long
/// blocks are cut at sentence boundaries, never mid-sentence. Offsets are kept, so every passage is an exact
/// substring of the document text.
/// </summary>
public static class PassageBuilder
{
    /// <summary>A block shorter than this is merged with the next one under the same heading.</summary>
    public const int MergeBelow = 320;

    /// <summary>Merging stops before a passage would grow past this.</summary>
    public const int MergeLimit = 900;

    /// <summary>A block longer than this is cut at sentence boundaries into pieces of about <see cref="CutTarget"/>.</summary>
    public const int MaxPassage = 1600;

    public const int CutTarget = 1000;

    public static List<PassageSpan> Build(string text, IReadOnlyList<TextBlock> blocks)
    {
        var pieces = new List<TextBlock>();
        foreach (var block in blocks)
        {
            var (start, end) = Trim(text, block.Start, block.End);
            if (end <= start || !HasWordCharacter(text, start, end))
            {
                continue;
            }

            if (end - start <= MaxPassage)
            {
                pieces.Add(block with { Start = start, End = end });
                continue;
            }

            // Cut at sentence boundaries.
            var sentences = SentenceSplitter.Split(text, start, end - start);
            var pieceStart = -1;
            var pieceEnd = -1;
            foreach (var (s, l) in sentences)
            {
                if (pieceStart >= 0 && s + l - pieceStart > CutTarget)
                {
                    pieces.Add(block with { Start = pieceStart, End = pieceEnd });
                    pieceStart = -1;
                }

                if (pieceStart < 0)
                {
                    pieceStart = s;
                }

                pieceEnd = s + l;
            }

            if (pieceStart >= 0)
            {
                pieces.Add(block with { Start = pieceStart, End = pieceEnd });
            }
        }

        var passages = new List<PassageSpan>();
        var i = 0;
        while (i < pieces.Count)
        {
            var first = pieces[i];
            var end = first.End;
            var j = i + 1;
            while (j < pieces.Count && pieces[j].Section == first.Section && end - first.Start < MergeBelow && pieces[j].End - first.Start <= MergeLimit)
            {
                end = pieces[j].End;
                j++;
            }

            passages.Add(new PassageSpan(passages.Count, first.Section, first.Start, end - first.Start));
            i = j;
        }

        return passages;
    }

    private static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }

    private static bool HasWordCharacter(string text, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (char.IsLetterOrDigit(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
