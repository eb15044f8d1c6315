using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Search.Corpus;

/// <summary>The allowed front-matter values of a corpus, from its <c>schema.yaml</c>.</summary>
public sealed class CorpusSchema
{
    public const string FileName = "schema.yaml";

    public IReadOnlyList<string> Required { get; private init; } = ["title", "source", "kind"];

    public long MaxBytes { get; private init; } = DocumentReader.DefaultMaxBytes;

    public IReadOnlyDictionary<string, string> Kinds { get; private init; } = DocumentKinds.All.ToDictionary(k => k, k => k);

    /// <summary>Allowed authority tiers of <c>sources</c> entries (default: primary, analysis, news, opinion, note).</summary>
    public IReadOnlyDictionary<string, string> Tiers { get; private init; } = Core.Conversation.SourceTiers.Names.ToDictionary(k => k, k => k);

    /// <summary>Allowed jurisdiction codes (null: any).</summary>
    public IReadOnlyDictionary<string, string>? Jurisdictions { get; private init; }

    /// <summary>Allowed topic slugs (null: any).</summary>
    public IReadOnlyDictionary<string, string>? Topics { get; private init; }

    /// <summary>
    /// Known outlets and the web hosts their copies live on ("South China Morning Post" → scmp.com), so that
    /// <c>corpus validate</c> catches a sources entry whose url is one outlet's page while its outlet names another
    /// (null: unchecked). A host matches itself and its subdomains.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Outlets { get; private init; }

    /// <summary>
    /// The problem with an entry's outlet and url host, or null: the url's host belongs to other outlets only, or the
    /// outlet is listed and the url is on none of its hosts.
    /// </summary>
    public string? OutletUrlProblem(string outlet, Uri? url)
    {
        if (Outlets is null || url is null || outlet.Length == 0)
        {
            return null;
        }

        var host = url.Host.ToLowerInvariant();
        bool On(IReadOnlyList<string> hosts) => hosts.Any(h => host == h || host.EndsWith("." + h, StringComparison.Ordinal));
        var owners = Outlets.Where(o => On(o.Value)).Select(o => o.Key).ToList();
        if (owners.Count > 0 && !owners.Contains(outlet, StringComparer.OrdinalIgnoreCase))
        {
            return $"sources url is on {host}, the site of '{string.Join("' / '", owners)}', but the entry's outlet is '{outlet}': the url and the outlet must describe the same copy";
        }

        if (Outlets.TryGetValue(outlet, out var own) && own.Count > 0 && !On(own))
        {
            return $"sources url is on {host}, but outlet '{outlet}' publishes on {string.Join(", ", own)} ({FileName} outlets): the url and the outlet must describe the same copy";
        }

        return null;
    }

    public static CorpusSchema Default { get; } = new();

    /// <summary>Loads <c>schema.yaml</c> from a corpus folder; the default schema when there is none.</summary>
    /// <exception cref="DocumentReadException">The file exists but is malformed.</exception>
    public static CorpusSchema Load(string corpusDirectory)
    {
        var path = Path.Combine(corpusDirectory, FileName);
        if (!File.Exists(path))
        {
            return Default;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            throw new DocumentReadException($"{FileName} is not valid YAML: {ex.Message}", ex is YamlException y ? (int)y.Start.Line : null);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new DocumentReadException($"{FileName} must be a mapping with required, max_bytes, kinds, jurisdictions and topics", 1);
        }

        return new CorpusSchema
        {
            Required = root.Children.TryGetValue(new YamlScalarNode("required"), out var req) && req is YamlSequenceNode rs
                ? rs.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0).ToList()
                : Default.Required,
            MaxBytes = root.Children.TryGetValue(new YamlScalarNode("max_bytes"), out var mb) && mb is YamlScalarNode ms && long.TryParse(ms.Value, out var max) && max > 0
                ? max
                : Default.MaxBytes,
            Kinds = Map(root, "kinds") ?? Default.Kinds,
            Tiers = Map(root, "tiers") ?? Default.Tiers,
            Jurisdictions = Map(root, "jurisdictions"),
            Topics = Map(root, "topics"),
            Outlets = Map(root, "outlets")?.ToDictionary(
                kv => kv.Key,
                kv => (IReadOnlyList<string>)kv.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h => h.ToLowerInvariant()).ToList(),
                StringComparer.OrdinalIgnoreCase),
        };
    }

    private static Dictionary<string, string>? Map(YamlMappingNode root, string key)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        return node switch
        {
            YamlMappingNode m => m.Children.Where(kv => kv.Key is YamlScalarNode).ToDictionary(
                kv => ((YamlScalarNode)kv.Key).Value ?? "",
                kv => kv.Value is YamlScalarNode v ? v.Value ?? "" : "",
                StringComparer.OrdinalIgnoreCase),
            YamlSequenceNode s => s.Children.OfType<YamlScalarNode>().ToDictionary(v => v.Value ?? "", v => v.Value ?? "", StringComparer.OrdinalIgnoreCase),
            _ => null,
        };
    }
}
