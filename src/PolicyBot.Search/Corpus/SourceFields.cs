using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Search.Corpus;

/// <summary>One <c>sources</c> entry of a document's front matter, read as structured citation fields.</summary>
/// <param name="Reference">What the entry says (parts that do not parse are left out).</param>
/// <param name="Issuers">Bodies that issued an official text, when they differ from the outlet.</param>
/// <param name="Line">1-based line of the entry in the file.</param>
/// <param name="Problems">What <c>corpus validate</c> reports about the entry.</param>
public sealed record SourceEntry(SourceReference Reference, IReadOnlyList<string> Issuers, int Line, IReadOnlyList<string> Problems);

/// <summary>
/// Reads the structured citation fields of the <c>sources</c> list (headline, outlet, authors, issuers, published or
/// as_of with precision, url, tier; <c>note</c> is for reviewers and is never read into a citation).
/// </summary>
public static class SourceFields
{
    public const string Key = "sources";

    /// <summary>The keys a sources entry may have (<c>title</c> is the older name of <c>headline</c>).</summary>
    public static IReadOnlyList<string> AllowedKeys { get; } = ["headline", "title", "outlet", "authors", "issuers", "published", "as_of", "url", "tier", "note"];

    /// <summary>The document's main source: its first <c>sources</c> entry, or null when it lists none.</summary>
    public static SourceReference? MainSource(FrontMatter fm) => Read(fm, SourceTiers.Names).FirstOrDefault()?.Reference;

    /// <summary>Every entry of <c>sources</c>, in order, with the problems found (tiers checked against <paramref name="tiers"/>).</summary>
    public static IReadOnlyList<SourceEntry> Read(FrontMatter fm, IEnumerable<string> tiers)
    {
        ArgumentNullException.ThrowIfNull(fm);
        if (!fm.Fields.TryGetValue(Key, out var node))
        {
            return [];
        }

        var allowedTiers = tiers.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (node is not YamlSequenceNode list)
        {
            return node is YamlScalarNode { Value: null or "" }
                ? []
                : [new SourceEntry(new SourceReference(), [], (int)node.Start.Line + 1, ["'sources' must be a list of entries (- headline: …, outlet: …, tier: …)"])];
        }

        var entries = new List<SourceEntry>();
        foreach (var item in list.Children)
        {
            entries.Add(ReadEntry(item, allowedTiers));
        }

        return entries;
    }

    private static SourceEntry ReadEntry(YamlNode item, HashSet<string> allowedTiers)
    {
        var line = (int)item.Start.Line + 1;
        if (item is not YamlMappingNode map)
        {
            return new SourceEntry(new SourceReference(), [], line, ["a sources entry must be a mapping (headline: …, outlet: …, tier: …)"]);
        }

        var problems = new List<string>();
        var fields = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (!AllowedKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"sources entry has unknown field '{key}' (allowed: {string.Join(", ", AllowedKeys)})");
                continue;
            }

            fields[key] = v;
        }

        var headline = Scalar(fields, "headline") ?? Scalar(fields, "title") ?? "";
        var outlet = Scalar(fields, "outlet") ?? "";
        if (headline.Length == 0)
        {
            problems.Add("sources entry has no 'headline'");
        }

        if (outlet.Length == 0)
        {
            problems.Add("sources entry has no 'outlet'");
        }

        SourceTier? tier = null;
        var tierText = Scalar(fields, "tier");
        if (tierText is null)
        {
            problems.Add($"sources entry has no 'tier' (one of: {string.Join(", ", allowedTiers)})");
        }
        else if (!allowedTiers.Contains(tierText) || !SourceTiers.TryParse(tierText, out var parsed))
        {
            problems.Add($"sources tier '{tierText}' is not one of: {string.Join(", ", allowedTiers)}");
        }
        else
        {
            tier = parsed;
        }

        var published = Date(fields, "published", problems);
        var asOf = Date(fields, "as_of", problems);
        if (published is null && asOf is null && !problems.Any(p => p.Contains("is not a date", StringComparison.Ordinal)))
        {
            problems.Add("sources entry has neither 'published' nor 'as_of' (write yyyy, yyyy-mm or yyyy-mm-dd: the precision known)");
        }

        Uri? url = null;
        var urlText = Scalar(fields, "url");
        if (!fields.ContainsKey("url"))
        {
            problems.Add("sources entry has no 'url' (write url: \"\" when there is none)");
        }
        else if (!string.IsNullOrEmpty(urlText))
        {
            url = SourceReference.HttpUrl(urlText);
            if (url is null)
            {
                problems.Add($"sources url '{urlText}' is not an absolute http(s) URL");
            }
        }

        var authors = List(fields, "authors", problems);
        var issuers = List(fields, "issuers", problems);
        var reference = new SourceReference
        {
            Headline = headline,
            Outlet = outlet,
            Authors = authors,
            Published = published,
            AsOf = asOf,
            Url = url,
            Tier = tier,
        };
        return new SourceEntry(reference, issuers, line, problems);
    }

    private static string? Scalar(Dictionary<string, YamlNode> fields, string key) =>
        fields.TryGetValue(key, out var node) && node is YamlScalarNode { Value: { } v } && v.Trim().Length > 0 ? QuestionText.Clean(v) : null;

    private static SourceDate? Date(Dictionary<string, YamlNode> fields, string key, List<string> problems)
    {
        var raw = Scalar(fields, key);
        if (raw is null)
        {
            return null;
        }

        if (SourceDate.TryParse(raw, out var date))
        {
            return date;
        }

        problems.Add($"sources {key} '{raw}' is not a date (write yyyy, yyyy-mm or yyyy-mm-dd)");
        return null;
    }

    private static List<string> List(Dictionary<string, YamlNode> fields, string key, List<string> problems)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            return [];
        }

        switch (node)
        {
            case YamlSequenceNode seq:
                var values = new List<string>();
                foreach (var child in seq.Children)
                {
                    if (child is YamlScalarNode { Value: { } v } && v.Trim().Length > 0)
                    {
                        values.Add(QuestionText.Clean(v));
                    }
                    else
                    {
                        problems.Add($"sources {key} must be a list of names");
                    }
                }

                return values;
            case YamlScalarNode { Value: null or "" }:
                return [];
            case YamlScalarNode s:
                return [QuestionText.Clean(s.Value!)];
            default:
                problems.Add($"sources {key} must be a list of names");
                return [];
        }
    }
}
