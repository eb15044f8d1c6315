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
/// token, offsets into the original text) → <see cref="EnglishPossessiveFilter"/> → <see cref="LowerCaseFilter"/>
/// → <see cref="ASCIIFoldingFilter"/> (é → e, ß → ss) → <see cref="PorterStemFilter"/>. Stop words stay in the
/// stream so positions and document lengths are true; query parsing drops them. With <c>stem: false</c> the same
/// chain without stemming gives the surface words (for stop-word checks and explanations). Reusable and
/// thread-safe (Lucene keeps one set of components per thread).
/// </summary>
public sealed class PolicyBotAnalyzer(bool stem) : Analyzer
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Longer tokens are dropped by the tokenizer (hashes, base64, noise — never words).</summary>
    public const int MaxTokenLength = 40;

    public bool Stems { get; } = stem;

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(Version, reader) { MaxTokenLength = MaxTokenLength };
        TokenStream sink = new EnglishPossessiveFilter(Version, source);
        sink = new LowerCaseFilter(Version, sink);
        sink = new ASCIIFoldingFilter(sink);
        if (Stems)
        {
            sink = new PorterStemFilter(sink);
        }

        return new TokenStreamComponents(source, sink);
    }
}
