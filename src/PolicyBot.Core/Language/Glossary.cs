using System.Globalization;
using System.Text;

namespace PolicyBot.Core.Language;

/// <summary>One glossary line: a Chinese term in simplified and traditional script and the English it searches for.</summary>
/// <param name="English">The English search term; empty for a Chinese function word that is dropped.</param>
public sealed record GlossaryEntry(string Simplified, string Traditional, string English, int Line)
{
    /// <summary>A function word ("的", "吗"): matched so it is not taken for an unknown word, then dropped.</summary>
    public bool IsFunctionWord => English.Length == 0;
}

/// <summary>A problem in the glossary file, with its line.</summary>
public sealed record GlossaryProblem(int Line, string Message);

/// <summary>
/// The bilingual glossary (<c>corpus/glossary.tsv</c>): Chinese policy terms in simplified and traditional script
/// mapped to the English the corpus uses. Maintained in the corpus like the documents and validated by
/// <c>corpus validate</c>: three tab-separated columns, Han characters only in the Chinese columns, none in the
/// English one, each Chinese term on one line only.
/// </summary>
public sealed class Glossary
{
    public const string FileName = "glossary.tsv";

    private readonly Dictionary<string, (GlossaryEntry Entry, bool Traditional)> _terms;
    private readonly Dictionary<string, (GlossaryEntry Entry, bool Traditional)>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<char, int> _longestFrom;

    private Glossary(IReadOnlyList<GlossaryEntry> entries)
    {
        Entries = entries;
        _terms = new Dictionary<string, (GlossaryEntry, bool)>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            _terms.TryAdd(e.Simplified, (e, false));
            _terms.TryAdd(e.Traditional, (e, e.Traditional != e.Simplified));
        }

        _lookup = _terms.GetAlternateLookup<ReadOnlySpan<char>>();
        _longestFrom = new Dictionary<char, int>();
        foreach (var key in _terms.Keys)
        {
            _longestFrom[key[0]] = Math.Max(_longestFrom.GetValueOrDefault(key[0]), key.Length);
        }

        LongestTerm = _terms.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
    }

    public static Glossary Empty { get; } = new([]);

    public IReadOnlyList<GlossaryEntry> Entries { get; }

    /// <summary>Length (UTF-16) of the longest term that starts with this character (0 when none does).</summary>
    public int LongestStartingWith(char first) => _longestFrom.GetValueOrDefault(first);

    /// <summary>Length (UTF-16) of the longest Chinese term, the window of longest-match segmentation.</summary>
    public int LongestTerm { get; }

    /// <summary>Whether the span is a Chinese term of the glossary (no allocation: the segmenter probes every window).</summary>
    public bool Contains(ReadOnlySpan<char> term) => _lookup.ContainsKey(term);

    /// <summary>The entry a Chinese term names, and whether it was its traditional form (differing from the simplified one).</summary>
    public bool TryLookup(string term, out GlossaryEntry entry, out bool traditional)
    {
        if (_terms.TryGetValue(term, out var hit))
        {
            entry = hit.Entry;
            traditional = hit.Traditional;
            return true;
        }

        entry = null!;
        traditional = false;
        return false;
    }

    /// <summary>Parses the glossary; lines with problems are reported and left out, the rest is kept.</summary>
    public static Glossary Parse(string text, ICollection<GlossaryProblem>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<GlossaryEntry>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd();
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var columns = line.Split('\t');
            if (columns.Length != 3)
            {
                problems?.Add(new GlossaryProblem(lineNumber, $"expected 3 columns separated by tabs (simplified, traditional, English), found {columns.Length}"));
                continue;
            }

            var simplified = columns[0].Trim();
            var traditional = columns[1].Trim();
            var english = columns[2].Trim();
            if (simplified.Length == 0 || traditional.Length == 0 || english.Length == 0)
            {
                problems?.Add(new GlossaryProblem(lineNumber, "a column is empty (use \"-\" in the English column for a function word)"));
                continue;
            }

            var bad = false;
            foreach (var (name, term) in new[] { ("simplified", simplified), ("traditional", traditional) })
            {
                var foreign = ChineseText.NonHan(term);
                if (foreign.Length > 0)
                {
                    problems?.Add(new GlossaryProblem(lineNumber, $"mixed scripts: the {name} term '{term}' holds non-Han characters '{foreign}'"));
                    bad = true;
                }
            }

            if (ChineseText.ContainsHan(english))
            {
                problems?.Add(new GlossaryProblem(lineNumber, $"mixed scripts: the English term '{english}' holds Han characters"));
                bad = true;
            }

            foreach (var term in simplified == traditional ? [simplified] : new[] { simplified, traditional })
            {
                if (firstLine.TryGetValue(term, out var first))
                {
                    problems?.Add(new GlossaryProblem(lineNumber, $"duplicate term '{term}' (first on line {first.ToString(CultureInfo.InvariantCulture)})"));
                    bad = true;
                }
            }

            if (bad)
            {
                continue;
            }

            firstLine[simplified] = lineNumber;
            firstLine.TryAdd(traditional, lineNumber);
            entries.Add(new GlossaryEntry(simplified, traditional, english == "-" ? "" : english, lineNumber));
        }

        return new Glossary(entries);
    }

    /// <summary>The glossaries of the corpus folders merged (the first folder's line wins a shared term); empty when none has one.</summary>
    public static Glossary Load(IEnumerable<string> corpusDirectories, ICollection<GlossaryProblem>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(corpusDirectories);
        var entries = new List<GlossaryEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in corpusDirectories)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(path, new UTF8Encoding(false, true));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                problems?.Add(new GlossaryProblem(0, $"cannot read {path}: {ex.Message}"));
                continue;
            }

            foreach (var e in Parse(text, problems).Entries)
            {
                if (seen.Add(e.Simplified) && (e.Traditional == e.Simplified || seen.Add(e.Traditional)))
                {
                    entries.Add(e);
                }
            }
        }

        return entries.Count == 0 ? Empty : new Glossary(entries);
    }

    /// <summary>A key that changes when any glossary file of the folders changes (to know when to reload).</summary>
    public static string FilesKey(IEnumerable<string> corpusDirectories)
    {
        ArgumentNullException.ThrowIfNull(corpusDirectories);
        var sb = new StringBuilder();
        foreach (var dir in corpusDirectories)
        {
            var f = new FileInfo(Path.Combine(dir, FileName));
            if (f.Exists)
            {
                sb.Append(f.FullName).Append(':').Append(f.Length.ToString(CultureInfo.InvariantCulture)).Append(':')
                    .Append(f.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        }

        return sb.ToString();
    }
}
