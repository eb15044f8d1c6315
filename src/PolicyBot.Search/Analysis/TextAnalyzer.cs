using System.Buffers;
using System.Globalization;
using System.Text;

namespace PolicyBot.Search.Analysis;

/// <summary>One analysed token: its term and where it stands in the original text.</summary>
/// <param name="Term">Lower-cased, diacritic-folded and (for <see cref="TextAnalyzer.Analyze"/>) stemmed term.</param>
/// <param name="Start">Offset of the token's first character in the analysed text.</param>
/// <param name="Length">Length of the token in the analysed text.</param>
/// <param name="Position">Ordinal of the token in the stream (0-based, counting stop words).</param>
public readonly record struct Token(string Term, int Start, int Length, int Position);

/// <summary>
/// The one analyzer shared by indexing and querying: Unicode word tokenizer (letters and digits; each CJK
/// ideograph or kana its own token), English possessive removal, lower-casing, diacritic folding and Porter
/// stemming — the chain of Lucene's EnglishAnalyzer. Stop words are kept in the stream (positions stay true)
/// and marked by <see cref="IsStopWord"/>; query parsing drops them. Thread-safe.
/// </summary>
public sealed class TextAnalyzer
{
    /// <summary>Longer tokens are dropped (they are hashes, base64 or noise, never words).</summary>
    public const int MaxTokenLength = 40;

    private static readonly SearchValues<char> Apostrophes = SearchValues.Create("'\u2019\u02BC");

    [ThreadStatic]
    private static PorterStemmer? t_stemmer;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _stemCache = new(StringComparer.Ordinal);

    public static TextAnalyzer Default { get; } = new();

    /// <summary>Lucene's English stop set plus question and request words that never carry the topic.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        // Lucene EnglishAnalyzer.ENGLISH_STOP_WORDS_SET
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",

        // Function words of questions (query side only matters; they carry no topic).
        "what", "whats", "which", "who", "whom", "whose", "why", "how", "when", "where", "does", "do", "did", "done",
        "doing", "can", "could", "should", "would", "may", "might", "must", "shall", "has", "have", "had", "having",
        "been", "being", "were", "am", "i", "me", "my", "we", "our", "you", "your", "he", "him", "his", "she",
        "her", "its", "them", "those", "from", "about", "tell", "please", "explain", "describe", "give", "any",
        "some", "there", "here", "so", "than", "too", "very", "just", "also", "all", "each", "other", "s", "t",
        "d", "ll", "re", "ve", "m", "o", "else", "ever", "much", "many", "more", "most", "own", "same", "only",
    };

    internal static IEnumerable<string> StopWordList => StopWords;

    /// <summary>True for a stop word (given in its lower-cased, folded, unstemmed form).</summary>
    public static bool IsStopWord(string word) => StopWords.Contains(word);

    /// <summary>Tokenises, folds and stems. Stop words are kept and flagged by <see cref="Token"/> consumers via <see cref="IsStopWord"/> on <paramref name="surface"/>.</summary>
    public List<Token> Analyze(string text, List<string>? surface = null)
    {
        var tokens = new List<Token>();
        var position = 0;
        foreach (var (start, length) in Words(text))
        {
            var folded = Fold(text.AsSpan(start, length));
            if (folded.Length == 0 || folded.Length > MaxTokenLength)
            {
                continue;
            }

            surface?.Add(folded);
            tokens.Add(new Token(Stem(folded), start, length, position++));
        }

        return tokens;
    }

    /// <summary>Stems one folded, lower-case word (cached).</summary>
    public string Stem(string folded)
    {
        if (_stemCache.TryGetValue(folded, out var stem))
        {
            return stem;
        }

        t_stemmer ??= new PorterStemmer();
        stem = t_stemmer.Stem(folded);
        if (_stemCache.Count < 200_000)
        {
            _stemCache.TryAdd(folded, stem);
        }

        return stem;
    }

    /// <summary>The word spans of <paramref name="text"/>: runs of letters/digits, possessive 's dropped, each CJK character alone.</summary>
    public static IEnumerable<(int Start, int Length)> Words(string text)
    {
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            var c = text[i];
            if (IsCjk(c))
            {
                yield return (i, 1);
                i++;
                continue;
            }

            if (!IsWordChar(text, i))
            {
                i += char.IsHighSurrogate(c) && i + 1 < n ? 2 : 1;
                continue;
            }

            var start = i;
            while (i < n && !IsCjk(text[i]) && IsWordChar(text, i))
            {
                i += char.IsHighSurrogate(text[i]) && i + 1 < n ? 2 : 1;
            }

            var end = i;

            // Possessive: word's / word’s → word (the apostrophe and s are not part of the token).
            if (i + 1 < n && Apostrophes.Contains(text[i]) && (text[i + 1] == 's' || text[i + 1] == 'S') && (i + 2 >= n || !IsWordChar(text, i + 2)))
            {
                i += 2;
            }

            yield return (start, end - start);
        }
    }

    private static bool IsWordChar(string text, int i)
    {
        var c = text[i];
        if (c < 128)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }

        if (char.IsHighSurrogate(c) && i + 1 < text.Length)
        {
            return char.IsLetterOrDigit(text, i);
        }

        var cat = CharUnicodeInfo.GetUnicodeCategory(c);
        return cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    /// <summary>Han, Hiragana, Katakana and Hangul syllables: one token per character, as Lucene's StandardTokenizer does.</summary>
    private static bool IsCjk(char c) =>
        (c >= '\u4E00' && c <= '\u9FFF') || (c >= '\u3400' && c <= '\u4DBF') || (c >= '\u3040' && c <= '\u30FF')
        || (c >= '\uAC00' && c <= '\uD7AF') || (c >= '\uF900' && c <= '\uFAFF');

    /// <summary>Lower-cases and strips diacritics (é → e, Ü → u).</summary>
    public static string Fold(ReadOnlySpan<char> word)
    {
        var ascii = true;
        foreach (var c in word)
        {
            if (c >= 128)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return string.Create(word.Length, word, static (dst, src) =>
            {
                for (var i = 0; i < src.Length; i++)
                {
                    var c = src[i];
                    dst[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
                }
            });
        }

        // Invariant globalization has no Unicode normalisation tables, so Latin diacritics fold through a table.
        var sb = new StringBuilder(word.Length);
        foreach (var c in word)
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            var folded = FoldLatin(lower);
            if (folded is null)
            {
                sb.Append(lower);
            }
            else
            {
                sb.Append(folded);
            }
        }

        return sb.ToString();
    }

    // Lower-case Latin-1 Supplement and Latin Extended-A letters with diacritics → base letters.
    private const string Latin1From = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ";
    private const string Latin1To = "aaaaaaceeeeiiiinoooooouuuuyy";
    private const string ExtendedATo = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkkllllllllllnnnnnnnnnoooooo??rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

    private static string? FoldLatin(char c)
    {
        var i = Latin1From.IndexOf(c, StringComparison.Ordinal);
        if (i >= 0)
        {
            return Latin1To[i].ToString();
        }

        switch (c)
        {
            case 'ß':
                return "ss";
            case 'æ':
                return "ae";
            case 'œ':
                return "oe";
            case 'ð':
                return "d";
            case 'þ':
                return "th";
        }

        if (c >= '\u0100' && c <= '\u017F')
        {
            var j = c - '\u0100';
            if (c == '\u0131')
            {
                return "i"; // dotless i
            }

            if (c == '\u0153')
            {
                return "oe";
            }

            return ExtendedATo[j] == '?' ? null : ExtendedATo[j].ToString();
        }

        return null;
    }
}
