using System.Text;

namespace PolicyBot.Core.Language;

/// <summary>One piece of a segmented Chinese question.</summary>
/// <param name="Text">The Chinese (or other) text as it stands in the question.</param>
/// <param name="Entry">The glossary entry it matched; null for unmatched Han text or for non-Han text.</param>
public sealed record ChineseSegment(string Text, GlossaryEntry? Entry, bool IsHan);

/// <summary>A question mapped to English search terms.</summary>
/// <param name="Original">The question as asked.</param>
/// <param name="English">What is searched: the glossary's English terms, the non-Han words as asked, and unmatched Han runs of two or more characters (unknown words, so the corpus is seen not to cover them).</param>
/// <param name="IsChinese">The question holds Han characters, so it was mapped (answers then say they come from English sources).</param>
/// <param name="Traditional">More of the matched terms were written in traditional than in simplified script.</param>
/// <param name="Unknown">Han runs the glossary does not know.</param>
public sealed record TranslatedQuestion(string Original, string English, bool IsChinese, bool Traditional, IReadOnlyList<string> Unknown, IReadOnlyList<ChineseSegment> Segments)
{
    /// <summary>The terms the glossary recognised.</summary>
    public IEnumerable<GlossaryEntry> Matched => Segments.Where(s => s.Entry is not null).Select(s => s.Entry!);
}

/// <summary>
/// Maps a Chinese question onto the English corpus with the glossary: forward longest-match segmentation of each
/// Han run (the longest glossary term starting at each position wins, as dictionary-based Chinese segmenters do),
/// each term replaced by its English, function words dropped. Written here rather than taken from SmartCn because
/// the job is to map onto the glossary's own vocabulary, whose terms ("世界人工智能合作组织") are longer than a
/// general segmenter's words; measured against Lucene's CJK bigrams in the closing note.
/// </summary>
public static class ChineseQuestion
{
    public static TranslatedQuestion Translate(string question, Glossary glossary)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(glossary);
        if (!ChineseText.ContainsHan(question))
        {
            return new TranslatedQuestion(question, question, false, false, [], []);
        }

        var segments = Segment(question, glossary);
        var english = new StringBuilder();
        var unknown = new List<string>();
        int traditional = 0, simplified = 0;
        foreach (var s in segments)
        {
            string? piece;
            if (s.Entry is { } e)
            {
                piece = e.IsFunctionWord ? null : e.English;
                if (e.Traditional != e.Simplified)
                {
                    if (s.Text == e.Traditional)
                    {
                        traditional++;
                    }
                    else
                    {
                        simplified++;
                    }
                }
            }
            else if (s.IsHan)
            {
                unknown.Add(s.Text);

                // A lone unmatched ideograph is most often a particle; a longer run is a word the glossary lacks.
                piece = s.Text.EnumerateRunes().Count() >= 2 ? s.Text : null;
            }
            else
            {
                piece = s.Text;
            }

            if (piece is not null && piece.Length > 0)
            {
                if (english.Length > 0)
                {
                    english.Append(' ');
                }

                english.Append(piece);
            }
        }

        return new TranslatedQuestion(question, english.ToString().Trim(), true, traditional > simplified, unknown, segments);
    }

    /// <summary>Splits the question into glossary terms, unmatched Han runs and non-Han text (full-width punctuation becomes a break).</summary>
    public static IReadOnlyList<ChineseSegment> Segment(string question, Glossary glossary)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(glossary);
        var segments = new List<ChineseSegment>();
        var other = new StringBuilder();
        var unmatched = new StringBuilder();
        void FlushOther()
        {
            var t = other.ToString().Trim();
            if (t.Length > 0)
            {
                segments.Add(new ChineseSegment(t, null, false));
            }

            other.Clear();
        }

        void FlushUnmatched()
        {
            if (unmatched.Length > 0)
            {
                segments.Add(new ChineseSegment(unmatched.ToString(), null, true));
            }

            unmatched.Clear();
        }

        var i = 0;
        while (i < question.Length)
        {
            var (rune, width) = RuneAt(question, i);
            if (!ChineseText.IsHan(rune))
            {
                FlushUnmatched();
                if (Rune.IsWhiteSpace(rune))
                {
                    other.Append(' ');
                }
                else if (IsBreak(rune))
                {
                    FlushOther();
                }
                else
                {
                    other.Append(rune.ToString());
                }

                i += width;
                continue;
            }

            FlushOther();
            var match = LongestMatch(question, i, glossary);
            if (match > 0)
            {
                FlushUnmatched();
                var text = question.Substring(i, match);
                glossary.TryLookup(text, out var entry, out _);
                segments.Add(new ChineseSegment(text, entry, true));
                i += match;
            }
            else
            {
                unmatched.Append(rune.ToString());
                i += width;
            }
        }

        FlushUnmatched();
        FlushOther();
        return segments;
    }

    /// <summary>UTF-16 length of the longest glossary term starting at <paramref name="start"/> (only Han characters), 0 when none.</summary>
    private static int LongestMatch(string text, int start, Glossary glossary)
    {
        var end = start;
        var limit = Math.Min(text.Length, start + glossary.LongestStartingWith(text[start]));
        while (end < limit)
        {
            var (r, width) = RuneAt(text, end);
            if (!ChineseText.IsHan(r) || end + width > limit)
            {
                break;
            }

            end += width;
        }

        for (var length = end - start; length > 0; length--)
        {
            if (char.IsHighSurrogate(text[start + length - 1]))
            {
                continue;
            }

            if (glossary.Contains(text.AsSpan(start, length)))
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>The scalar at <paramref name="index"/> and its UTF-16 width; a lone surrogate reads as U+FFFD, one unit wide.</summary>
    private static (Rune Rune, int Width) RuneAt(string text, int index)
    {
        Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed);
        return (rune, Math.Max(1, consumed));
    }

    /// <summary>Punctuation, symbols and control characters (including the full-width forms Chinese text uses) separate segments.</summary>
    private static bool IsBreak(Rune r) =>
        Rune.IsPunctuation(r) || Rune.IsSymbol(r) || Rune.IsControl(r)
        || Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.Format;
}
