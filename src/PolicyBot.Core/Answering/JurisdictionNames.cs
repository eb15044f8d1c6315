using System.Text.RegularExpressions;

namespace PolicyBot.Core.Answering;

/// <summary>A jurisdiction a user named: its code when it is one we know, and the name to show.</summary>
/// <param name="Code">Upper-case code ("EU", "CN"), or the name as typed when the jurisdiction is not one we know.</param>
/// <param name="Name">Display name ("the EU", "China").</param>
public sealed record JurisdictionRef(string Code, string Name)
{
    public bool Known => JurisdictionNames.ByCode(Code) is not null;
}

/// <summary>
/// The names people use for jurisdictions in questions ("the US", "Europe", "中国"), mapped to the codes the corpus
/// front matter uses. Includes jurisdictions the shipped corpus does not cover (Canada, India, …) so that a
/// comparison can say "not covered" for them instead of silently dropping them.
/// </summary>
public static partial class JurisdictionNames
{
    private sealed record Entry(string Code, string Name, string[] Aliases);

    // Upper-case aliases ("US", "EU") match only in upper case, so "tell us" never names the United States.
    private static readonly Entry[] Entries =
    [
        new("CN", "China", ["China", "Chinese", "PRC", "People's Republic of China", "Beijing", "中国", "中國"]),
        new("US", "the US", ["United States", "USA", "U.S.", "US", "America", "American", "美国", "美國"]),
        new("EU", "the EU", ["EU", "European Union", "Europe", "European", "Brussels", "欧盟", "歐盟"]),
        new("HK", "Hong Kong", ["Hong Kong", "HKSAR", "HK", "香港"]),
        new("SG", "Singapore", ["Singapore", "Singaporean", "新加坡"]),
        new("UK", "the UK", ["United Kingdom", "UK", "U.K.", "Britain", "British", "英国", "英國"]),
        new("JP", "Japan", ["Japan", "Japanese", "日本"]),
        new("CA", "Canada", ["Canada", "Canadian"]),
        new("IN", "India", ["India", "Indian"]),
        new("AU", "Australia", ["Australia", "Australian"]),
        new("KR", "South Korea", ["South Korea", "Korea", "Korean"]),
        new("BR", "Brazil", ["Brazil", "Brazilian"]),
        new("AE", "the UAE", ["United Arab Emirates", "UAE", "Dubai"]),
        new("CH", "Switzerland", ["Switzerland", "Swiss"]),
        new("TW", "Taiwan", ["Taiwan", "台湾", "台灣"]),
    ];

    private static readonly (Entry Entry, Regex Pattern)[] Patterns = Entries
        .Select(e => (e, new Regex(string.Join('|', e.Aliases.OrderByDescending(a => a.Length).Select(AliasPattern)), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))))
        .ToArray();

    /// <summary>The known jurisdiction for a code or an alias ("EU", "europe", "the US"), or null.</summary>
    public static JurisdictionRef? ByCode(string code)
    {
        var e = Entries.FirstOrDefault(x => string.Equals(x.Code, code.Trim(), StringComparison.OrdinalIgnoreCase));
        return e is null ? null : new JurisdictionRef(e.Code, e.Name);
    }

    /// <summary>Display name of a code; the code itself when unknown.</summary>
    public static string NameOf(string code) => ByCode(code)?.Name ?? code;

    /// <summary>The jurisdictions a text names, in order of first mention, each once.</summary>
    public static IReadOnlyList<JurisdictionRef> Find(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var found = new List<(int At, JurisdictionRef J)>();
        foreach (var (entry, pattern) in Patterns)
        {
            try
            {
                var m = pattern.Match(text);
                if (m.Success)
                {
                    found.Add((m.Index, new JurisdictionRef(entry.Code, entry.Name)));
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A hostile question cannot hold a thread: no match counts as not named.
            }
        }

        return found.OrderBy(f => f.At).Select(f => f.J).ToList();
    }

    /// <summary>The text with every jurisdiction name (with a leading "the"), list commas and joining "and"/"or" removed.</summary>
    public static string Strip(string text)
    {
        var s = text;
        foreach (var (_, pattern) in Patterns)
        {
            try
            {
                s = pattern.Replace(s, " ");
            }
            catch (RegexMatchTimeoutException)
            {
                return text;
            }
        }

        s = LeftoverJoiners().Replace(s, " ");
        return Spaces().Replace(s, " ").Replace(" ?", "?", StringComparison.Ordinal).Trim(' ', ';');
    }

    /// <summary>
    /// A user's list ("EU, US and Canada", "cn hk", "Peru"): known names map to their codes, anything else is kept
    /// as typed (shown as not covered). At most <paramref name="max"/> entries, each once.
    /// </summary>
    public static IReadOnlyList<JurisdictionRef> ParseList(string? list, int max = 6)
    {
        var result = new List<JurisdictionRef>();
        if (string.IsNullOrWhiteSpace(list))
        {
            return result;
        }

        foreach (var raw in ListSeparators().Split(list))
        {
            var item = Text.QuestionText.Clean(raw).Trim('.', ' ');
            if (item.Length == 0)
            {
                continue;
            }

            if (item.Length > 40)
            {
                item = item[..40].TrimEnd();
            }

            // "EU US", "cn hk": names and codes inside one piece; a piece naming nothing we know is kept as typed.
            var named = Find(item).ToList();
            foreach (var token in item.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (ByCode(token) is { } byCode && !named.Contains(byCode))
                {
                    named.Add(byCode);
                }
            }

            foreach (var j in named.Count > 0 ? named : [new JurisdictionRef(item, item)])
            {
                if (result.Count < max && !result.Any(r => string.Equals(r.Code, j.Code, StringComparison.OrdinalIgnoreCase)))
                {
                    result.Add(j);
                }
            }
        }

        return result;
    }

    /// <summary>Whether the text names <paramref name="code"/> by any of its aliases.</summary>
    public static bool Mentions(string text, string code)
    {
        var p = Patterns.FirstOrDefault(x => string.Equals(x.Entry.Code, code, StringComparison.OrdinalIgnoreCase));
        try
        {
            return p.Pattern is not null && p.Pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string AliasPattern(string alias)
    {
        var escaped = Regex.Escape(alias);
        var cjk = alias.Any(c => c >= 0x2E80);
        if (cjk)
        {
            return escaped;
        }

        var caseSensitive = alias.All(c => !char.IsLetter(c) || char.IsUpper(c));
        var body = caseSensitive ? escaped : "(?i:" + escaped + ")";

        // A leading "the" goes with the name ("the US"); word boundaries that also hold after "U.S.".
        return @"(?<![\p{L}\p{N}])(?:(?i:the)\s+)?" + body + @"(?![\p{L}\p{N}])";
    }

    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?:and|or|vs\.?|versus)(?![\p{L}\p{N}])|,", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LeftoverJoiners();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\s*(?:,|;|/|\||\band\b|\bvs\.?(?!\S)|\bversus\b)\s*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ListSeparators();
}
