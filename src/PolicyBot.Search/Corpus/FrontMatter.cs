using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Search.Corpus;

/// <summary>YAML front matter between a leading <c>---</c> line and the next <c>---</c> (or <c>...</c>) line.</summary>
public sealed class FrontMatter
{
    private FrontMatter(IReadOnlyDictionary<string, YamlNode> fields, int bodyStart, int lineCount)
    {
        Fields = fields;
        BodyStart = bodyStart;
        LineCount = lineCount;
    }

    public static FrontMatter Empty { get; } = new(new Dictionary<string, YamlNode>(), 0, 0);

    /// <summary>Top-level keys (lower-case) and their YAML nodes.</summary>
    public IReadOnlyDictionary<string, YamlNode> Fields { get; }

    /// <summary>Offset where the body starts (after the closing fence).</summary>
    public int BodyStart { get; }

    /// <summary>Lines taken by the front matter including both fences.</summary>
    public int LineCount { get; }

    /// <summary>Parses the front matter of <paramref name="text"/> (with \n line endings); none → <see cref="Empty"/>.</summary>
    /// <exception cref="DocumentReadException">The YAML is malformed or not a mapping.</exception>
    public static FrontMatter Parse(string text)
    {
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
        {
            return Empty;
        }

        var pos = 4;
        var line = 1;
        while (pos <= text.Length)
        {
            var eol = text.IndexOf('\n', pos);
            var lineEnd = eol < 0 ? text.Length : eol;
            var current = text.AsSpan(pos, lineEnd - pos).TrimEnd();
            line++;
            if (current is "---" or "...")
            {
                var yaml = text[4..pos];
                var body = eol < 0 ? text.Length : eol + 1;
                return new FrontMatter(ParseYaml(yaml), body, line);
            }

            if (eol < 0)
            {
                break;
            }

            pos = eol + 1;
        }

        throw new DocumentReadException("front matter starts with '---' but has no closing '---' line", 1);
    }

    private static Dictionary<string, YamlNode> ParseYaml(string yaml)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return result;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this for some malformed flow collections instead of a YamlException.
            throw new DocumentReadException("front matter is not valid YAML: a list or mapping is not closed or not well formed", 2);
        }
        catch (YamlException ex)
        {
            // +1: the opening fence line.
            throw new DocumentReadException($"front matter is not valid YAML: {FirstLine(ex.Message)}", (int)ex.Start.Line + 1);
        }

        if (stream.Documents.Count == 0)
        {
            return result;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            throw new DocumentReadException("front matter must be a mapping of keys to values", 2);
        }

        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode { Value: { } k })
            {
                result[k] = value;
            }
        }

        return result;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n', StringComparison.Ordinal);
        return i < 0 ? s : s[..i];
    }

    /// <summary>1-based line of a key in the file, for validation messages.</summary>
    public int? LineOf(string key) => Fields.TryGetValue(key, out var node) ? (int)node.Start.Line + 1 : null;

    public string? GetString(string key) => Fields.TryGetValue(key, out var node) ? Scalar(node) : null;

    /// <summary>A list field; a single scalar counts as a one-item list; a comma-separated scalar is split.</summary>
    public IReadOnlyList<string> GetList(string key)
    {
        if (!Fields.TryGetValue(key, out var node))
        {
            return [];
        }

        return node switch
        {
            YamlSequenceNode seq => seq.Children.Select(Scalar).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim()).ToList(),
            YamlScalarNode sc when !string.IsNullOrWhiteSpace(sc.Value) => sc.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            _ => [],
        };
    }

    /// <summary>A date field as yyyy-MM-dd; null when absent; throws when present but not a date.</summary>
    public string? GetDate(string key)
    {
        var raw = GetString(key);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        return NormaliseDate(raw) ?? throw new DocumentReadException($"'{key}' is not a date (use yyyy-mm-dd): '{raw}'", LineOf(key));
    }

    /// <summary>yyyy-MM-dd for "2025-07-26", "2025-07", "2025", "26 July 2025", "July 26, 2025"…; null if unparseable.</summary>
    public static string? NormaliseDate(string raw)
    {
        raw = raw.Trim();
        string[] exact = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/MM/dd", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss", "d MMMM yyyy", "d MMM yyyy", "MMMM d, yyyy", "MMM d, yyyy"];
        if (DateTime.TryParseExact(raw, exact, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out var d))
        {
            return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (DateTime.TryParseExact(raw, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
        {
            return d.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        }

        return raw.Length == 4 && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is > 1900 and < 2200 ? raw : null;
    }

    private static string? Scalar(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value,
        YamlSequenceNode seq => string.Join(", ", seq.Children.Select(Scalar).Where(v => !string.IsNullOrWhiteSpace(v))),
        YamlMappingNode m => m.Children.TryGetValue(new YamlScalarNode("url"), out var u) ? Scalar(u)
            : m.Children.TryGetValue(new YamlScalarNode("title"), out var t) ? Scalar(t) : null,
        _ => null,
    };
}
