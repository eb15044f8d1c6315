using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace PolicyBot.Search.Analysis;

/// <summary>
/// The English analysis chain, built from Lucene's filters the way <c>EnglishAnalyzer</c> builds its own:
/// <see cref="StandardTokenizer"/> (Unicode word boundaries, UAX #29: each Han ideograph and hiragana its own
/// token, offsets into the original text) → <see cref="WordDelimiterFilter"/> → <see cref="LowerCaseFilter"/>
/// → <see cref="ASCIIFoldingFilter"/> (é → e, ß → ss) → <see cref="PorterStemFilter"/>. Stop words stay in the
/// stream so positions and document lengths are true; query parsing drops them. With <c>stem: false</c> the same
/// chain without stemming gives the surface words (for stop-word checks and explanations). Reusable and
/// thread-safe (Lucene keeps one set of components per thread).
/// <para>
/// A word is a run of letters and digits. UAX #29 keeps punctuation between letters or digits inside one token
/// ("3.5", "U.S", "1,100", "foo_bar", "don't", "O'Neil's"), so a question's "3.5" or "US" would not meet a
/// passage's "3 . 5" or "U.S."; the word delimiter filter splits such tokens at that punctuation into their
/// letter and digit parts (each with its own exact offsets and position) and drops a trailing possessive 's —
/// the English possessive step, done on the parts (typographic apostrophes are read as ' first, by
/// <see cref="TokenShapeFilter"/>). An acronym written with dots ("U.S.", "e.g.", "P.R.C.") is one word, as
/// Lucene's <c>ClassicFilter</c> makes it: <see cref="TokenShapeFilter"/> drops its dots first ("us", "eg", "prc"),
/// so "U.S." meets "US" and the synonyms' "U.S." (a split "u" + "s" would lose the "s" as a stop word). It does not split at case changes or letter/digit boundaries
/// ("iPhone", "B747" stay whole), and joins nothing back (no catenated or original forms: one token per part).
/// </para>
/// </summary>
public sealed class PolicyBotAnalyzer(bool stem) : Analyzer
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Longer tokens are dropped by the tokenizer (hashes, base64, noise — never words).</summary>
    public const int MaxTokenLength = 40;

    public bool Stems { get; } = stem;

    /// <summary>Word and number parts, possessives dropped; no case or letter/digit splits, nothing catenated.</summary>
    private const WordDelimiterFlags Delimiting =
        WordDelimiterFlags.GENERATE_WORD_PARTS | WordDelimiterFlags.GENERATE_NUMBER_PARTS | WordDelimiterFlags.STEM_ENGLISH_POSSESSIVE;

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(Version, reader) { MaxTokenLength = MaxTokenLength };
        TokenStream sink = new WordDelimiterFilter(Version, new TokenShapeFilter(source), Delimiting, null);
        sink = new LowerCaseFilter(Version, sink);
        sink = new ASCIIFoldingFilter(sink);
        if (Stems)
        {
            sink = new PorterStemFilter(sink);
        }

        return new TokenStreamComponents(source, sink);
    }
}

/// <summary>
/// Puts a token in the shape the word delimiter filter expects, in place on its characters (offsets do not move):
/// reads the typographic apostrophes (’ U+2019, ʼ U+02BC, ＇ U+FF07) as ', one character for one, so "China’s"
/// loses its possessive as "China's" does; then drops the dots of an acronym — single letters joined by dots,
/// "U.S" (UAX #29 leaves the final dot out), "e.g", "P.R.C" — as Lucene's <c>ClassicFilter</c> does for the
/// classic tokenizer's acronym tokens (the UAX #29 tokenizer does not type acronyms, so the shape is checked here).
/// The apostrophes come first: ʼ counts as a letter. Hand-written because Lucene's <c>MappingCharFilter</c> maps
/// the whole text one character at a time through an FST, which cost a sixth of the index build, and Lucene has
/// no acronym filter for UAX #29 tokens.
/// </summary>
internal sealed class TokenShapeFilter : TokenFilter
{
    private readonly Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute _term;

    public TokenShapeFilter(TokenStream input)
        : base(input)
    {
        _term = AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
    }

    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken())
        {
            return false;
        }

        var buffer = _term.Buffer;
        var length = _term.Length;
        for (var i = 0; i < length; i++)
        {
            if (buffer[i] is '\u2019' or '\u02BC' or '\uFF07')
            {
                buffer[i] = '\'';
            }
        }

        if (IsDottedAcronym(buffer, length))
        {
            for (var i = 0; i <= length / 2; i++)
            {
                buffer[i] = buffer[2 * i];
            }

            _term.Length = (length / 2) + 1;
        }

        return true;
    }

    /// <summary>Letter, dot, letter (, dot, letter …): at least two letters, an odd length.</summary>
    private static bool IsDottedAcronym(char[] buffer, int length)
    {
        if (length < 3 || length % 2 == 0)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            if (i % 2 == 0 ? !char.IsLetter(buffer[i]) : buffer[i] != '.')
            {
                return false;
            }
        }

        return true;
    }
}
