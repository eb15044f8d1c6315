using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.TokenAttributes;

namespace PolicyBot.Search.Analysis;

/// <summary>One analysed token: its term and where it stands in the original text.</summary>
/// <param name="Term">Lower-cased, diacritic-folded and stemmed term.</param>
/// <param name="Start">Offset of the token's first character in the analysed text.</param>
/// <param name="Length">Length of the token in the analysed text (a possessive's 's included).</param>
/// <param name="Position">Ordinal of the token in the stream (0-based, counting stop words).</param>
public readonly record struct Token(string Term, int Start, int Length, int Position);

/// <summary>
/// The analysis every part of the search core shares — the index, the query parser, the sentence matcher — as
/// plain lists, over the Lucene chain in <see cref="PolicyBotAnalyzer"/>. Stop words are kept in the stream and
/// marked by <see cref="IsStopWord"/>; query parsing drops them. Thread-safe.
/// </summary>
public sealed class TextAnalyzer
{
    /// <summary>The field name given to the analyzer when the field does not matter.</summary>
    private const string AnyField = "body";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _stemCache = new(StringComparer.Ordinal);

    private TextAnalyzer()
    {
    }

    public static TextAnalyzer Default { get; } = new();

    /// <summary>The stemming chain (index and query terms).</summary>
    public Analyzer Stemming { get; } = new PolicyBotAnalyzer(stem: true);

    /// <summary>The same chain without stemming (surface words).</summary>
    public Analyzer Surface { get; } = new PolicyBotAnalyzer(stem: false);

    public const int MaxTokenLength = PolicyBotAnalyzer.MaxTokenLength;

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

    /// <summary>Tokenises, folds and stems; <paramref name="surface"/>, when given, receives each token's unstemmed form.</summary>
    public List<Token> Analyze(string text, List<string>? surface = null)
    {
        var tokens = new List<Token>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }

        using (var stream = Stemming.GetTokenStream(AnyField, text))
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            var offset = stream.AddAttribute<IOffsetAttribute>();
            var increment = stream.AddAttribute<IPositionIncrementAttribute>();
            stream.Reset();
            var position = -1;
            while (stream.IncrementToken())
            {
                position += Math.Max(1, increment.PositionIncrement);
                tokens.Add(new Token(term.ToString(), offset.StartOffset, offset.EndOffset - offset.StartOffset, position));
            }

            stream.End();
        }

        if (surface is not null)
        {
            // The surface chain differs only by its last filter, which never adds or drops a token: the streams align.
            using var stream = Surface.GetTokenStream(AnyField, text);
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                surface.Add(term.ToString());
            }

            stream.End();
        }

        return tokens;
    }

    /// <summary>The stem of one word (cached); a word the analyzer drops stems to its folded self.</summary>
    public string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (_stemCache.TryGetValue(word, out var stem))
        {
            return stem;
        }

        var tokens = Analyze(word);
        stem = tokens.Count == 1 ? tokens[0].Term : Fold(word);
        if (_stemCache.Count < 200_000)
        {
            _stemCache.TryAdd(word, stem);
        }

        return stem;
    }

    /// <summary>Lower-cases and strips diacritics (é → e, Ü → u) with Lucene's ASCII folding table.</summary>
    public static string Fold(ReadOnlySpan<char> word)
    {
        var lower = word.ToString().ToLowerInvariant().ToCharArray();
        var output = new char[lower.Length * 4];
        var length = ASCIIFoldingFilter.FoldToASCII(lower, 0, output, 0, lower.Length);
        return new string(output, 0, length);
    }
}
