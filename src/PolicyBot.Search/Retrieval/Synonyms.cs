using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;
using PolicyBot.Search.Analysis;

namespace PolicyBot.Search.Retrieval;

/// <summary>
/// Groups of equivalent names ("Hong Kong, HK, HKSAR"), read from <c>synonyms.txt</c> in a corpus folder: one
/// group a line, comma-separated, <c>#</c> starts a comment. Applied at query time: when the question contains
/// one name of a group, the other names are searched too, each with a share of the original weight.
/// </summary>
public sealed class Synonyms
{
    public const string FileName = "synonyms.txt";

    private readonly List<string[][]> _groups;

    private Synonyms(List<string[][]> groups)
    {
        _groups = groups;
        _matcher = new Lazy<Analyzer?>(() => BuildMatcher(groups));
    }

    public static Synonyms None { get; } = new([]);

    public int GroupCount => _groups.Count;

    /// <summary>One problem with a synonyms file line.</summary>
    public sealed record Problem(int Line, string Message);

    /// <summary>Parses the text of a synonyms file; problems are reported, and bad lines skipped.</summary>
    public static Synonyms Parse(string text, List<Problem>? problems = null)
    {
        var groups = new List<string[][]>();
        var lineNo = 0;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            lineNo++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var names = line.Split(',', StringSplitOptions.TrimEntries);
            if (names.Any(n => n.Length == 0))
            {
                problems?.Add(new Problem(lineNo, "empty name in group (stray comma)"));
                names = names.Where(n => n.Length > 0).ToArray();
            }

            if (names.Length < 2)
            {
                problems?.Add(new Problem(lineNo, "a group needs at least two comma-separated names"));
                continue;
            }

            var analysed = names.Select(Analyse).Where(a => a.Length > 0).Distinct(TermsComparer.Instance).ToArray();
            if (analysed.Length < 2)
            {
                // Spelling variants the analyzer already folds ("high-risk, high risk"): nothing to expand.
                if (names.Select(Analyse).All(a => a.Length == 0))
                {
                    problems?.Add(new Problem(lineNo, "every name of this group is made of stop words only"));
                }

                continue;
            }

            groups.Add(analysed);
        }

        return new Synonyms(groups);
    }

    /// <summary>Merges the synonyms files of the given corpus folders.</summary>
    public static Synonyms Load(IEnumerable<string> corpusDirectories)
    {
        var all = new List<string[][]>();
        foreach (var dir in corpusDirectories)
        {
            var path = Path.Combine(dir, FileName);
            if (File.Exists(path))
            {
                try
                {
                    all.AddRange(Parse(File.ReadAllText(path))._groups);
                }
                catch (IOException)
                {
                    // An unreadable synonyms file only loses expansions; `corpus validate` reports it.
                }
            }
        }

        return new Synonyms(all);
    }

    /// <summary>The stems of a name, stop words dropped.</summary>
    internal static string[] Analyse(string name)
    {
        var surface = new List<string>();
        var tokens = TextAnalyzer.Default.Analyze(name, surface);
        var terms = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!TextAnalyzer.IsStopWord(surface[i]))
            {
                terms.Add(tokens[i].Term);
            }
        }

        return terms.ToArray();
    }

    /// <summary>
    /// For each group one of whose names occurs as a contiguous run in <paramref name="queryTerms"/>, the other
    /// names. Matching is Lucene's: a <see cref="SynonymFilter"/> over the analysed query terms, with a map from every
    /// name to one token standing for its group, finds the runs (longest match first) and how long each is.
    /// </summary>
    internal IEnumerable<(string[] Matched, string[] Other)> Expansions(IReadOnlyList<string> queryTerms)
    {
        var matcher = _matcher.Value;
        if (matcher is null || queryTerms.Count == 0)
        {
            return [];
        }

        var result = new List<(string[], string[])>();
        var present = new HashSet<string>(queryTerms, StringComparer.Ordinal);
        using var stream = matcher.GetTokenStream("q", string.Join(' ', queryTerms));
        var term = stream.AddAttribute<ICharTermAttribute>();
        var type = stream.AddAttribute<ITypeAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        var length = stream.AddAttribute<IPositionLengthAttribute>();
        stream.Reset();
        var position = -1;
        var done = new HashSet<int>();
        while (stream.IncrementToken())
        {
            position += increment.PositionIncrement;
            if (type.Type != SynonymFilter.TYPE_SYNONYM || term.Length < 2 || term.Buffer[0] != GroupMark)
            {
                continue;
            }

            var group = int.Parse(term.ToString().AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
            var span = Math.Max(1, length.PositionLength);
            if (position < 0 || position + span > queryTerms.Count || !done.Add(group))
            {
                continue;
            }

            var matched = queryTerms.Skip(position).Take(span).ToArray();
            foreach (var name in _groups[group])
            {
                if (!name.AsSpan().SequenceEqual(matched) && !name.All(present.Contains))
                {
                    result.Add((matched, name));
                }
            }
        }

        stream.End();
        return result;
    }

    /// <summary>Marks the token that stands for a group in the synonym map (never a real term: the analyzer drops control characters).</summary>
    private const char GroupMark = '\u0001';

    private readonly Lazy<Analyzer?> _matcher;

    /// <summary>Whitespace-separated analysed terms through a <see cref="SynonymFilter"/> whose map sends every name to its group's token.</summary>
    private static Analyzer? BuildMatcher(List<string[][]> groups)
    {
        if (groups.Count == 0)
        {
            return null;
        }

        var builder = new SynonymMap.Builder(dedup: true);
        for (var g = 0; g < groups.Count; g++)
        {
            var output = new CharsRef(GroupMark + g.ToString(CultureInfo.InvariantCulture));
            foreach (var name in groups[g])
            {
                builder.Add(SynonymMap.Builder.Join(name, new CharsRef()), output, includeOrig: true);
            }
        }

        var map = builder.Build();
        return Analyzer.NewAnonymous((_, reader) =>
        {
            var source = new WhitespaceTokenizer(PolicyBotAnalyzer.Version, reader);
            return new TokenStreamComponents(source, new SynonymFilter(source, map, ignoreCase: false));
        });
    }

    private sealed class TermsComparer : IEqualityComparer<string[]>
    {
        public static TermsComparer Instance { get; } = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] obj)
        {
            var h = new HashCode();
            foreach (var s in obj)
            {
                h.Add(s, StringComparer.Ordinal);
            }

            return h.ToHashCode();
        }
    }
}
