using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Index;

namespace PolicyBot.Search.Corpus;

/// <summary>What a maintainer supplies (or overrides) when adding a document.</summary>
public sealed record ImportMetadata
{
    public string? Title { get; init; }

    public string? Source { get; init; }

    public IReadOnlyList<string> Authors { get; init; } = [];

    public string? Published { get; init; }

    public IReadOnlyList<string> Jurisdictions { get; init; } = [];

    public IReadOnlyList<string> Topics { get; init; } = [];

    public string? Kind { get; init; }

    /// <summary>The main source's publisher or issuing body.</summary>
    public string? Outlet { get; init; }

    /// <summary>The main source's own title (default: the document title).</summary>
    public string? Headline { get; init; }

    /// <summary>primary | analysis | news | opinion | note.</summary>
    public string? Tier { get; init; }

    /// <summary>The main source's link (default: the source when it is a URL).</summary>
    public string? Url { get; init; }
}

/// <summary>Why an import was refused.</summary>
public sealed class ImportException(string message, IReadOnlyList<string>? missingFields = null) : Exception(message)
{
    /// <summary>Required fields that were not supplied (a terminal can ask for them).</summary>
    public IReadOnlyList<string> MissingFields { get; } = missingFields ?? [];
}

/// <summary>
/// Normalises a .md, .txt or .html file into a corpus Markdown document with complete front matter, refusing
/// duplicates (same text as a document already in the corpus) and values the schema does not allow.
/// </summary>
public static partial class CorpusImporter
{
    /// <summary>Reads <paramref name="file"/>, merges metadata and returns the Markdown to write and its file name.</summary>
    public static (string FileName, string Markdown, DocumentMetadata Metadata) Prepare(string file, string corpusDirectory, ImportMetadata supplied)
    {
        var schema = CorpusSchema.Load(corpusDirectory);
        var full = Path.GetFullPath(file);
        SourceDocument doc;
        try
        {
            doc = DocumentReader.Read(full, Path.GetFileName(full), schema.MaxBytes);
        }
        catch (DocumentReadException ex)
        {
            throw new ImportException($"{file}: {ex.Message}");
        }

        var m = doc.Metadata;
        var hasOwnTitle = !string.Equals(m.Title, Path.GetFileNameWithoutExtension(full), StringComparison.Ordinal);
        if (supplied.Published is { } sp && !SourceDate.TryParse(FrontMatter.NormaliseDate(sp), out _))
        {
            throw new ImportException($"--published '{sp}' is not a date (use yyyy, yyyy-mm or yyyy-mm-dd: the precision known)");
        }

        var metadata = new DocumentMetadata
        {
            Title = Pick(supplied.Title, hasOwnTitle ? m.Title : null) ?? "",
            Source = Pick(supplied.Source, m.Source) ?? "",
            Authors = supplied.Authors.Count > 0 ? supplied.Authors : m.Authors,
            Published = supplied.Published is { } p ? FrontMatter.NormaliseDate(p) : m.Published,
            Jurisdictions = supplied.Jurisdictions.Count > 0 ? supplied.Jurisdictions : m.Jurisdictions,
            Topics = supplied.Topics.Count > 0 ? supplied.Topics : m.Topics,
            Kind = Pick(supplied.Kind, HasKind(doc) ? m.Kind : null) ?? "",
        };

        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(metadata.Title))
        {
            missing.Add("title");
        }

        if (string.IsNullOrWhiteSpace(metadata.Source))
        {
            missing.Add("source");
        }

        if (string.IsNullOrWhiteSpace(metadata.Kind))
        {
            missing.Add("kind");
        }

        var main = MainSource(supplied, metadata, m.MainSource);

        if (missing.Count > 0)
        {
            throw new ImportException($"missing required {string.Join(", ", missing)}: pass {string.Join(" ", missing.Select(f => $"--{f} …"))}", missing);
        }

        if (supplied.Tier is { } tier && (!schema.Tiers.ContainsKey(tier.Trim()) || !SourceTiers.TryParse(tier, out _)))
        {
            throw new ImportException($"--tier '{tier}' is not one of: {string.Join(", ", schema.Tiers.Keys)}");
        }

        if (supplied.Url is { Length: > 0 } url && SourceReference.HttpUrl(url) is null)
        {
            throw new ImportException($"--url '{url}' is not an absolute http(s) URL");
        }

        metadata = metadata with { MainSource = main };
        if (!schema.Kinds.ContainsKey(metadata.Kind))
        {
            throw new ImportException($"--kind '{metadata.Kind}' is not one of: {string.Join(", ", schema.Kinds.Keys)}");
        }

        CheckAllowed("jurisdiction", metadata.Jurisdictions, schema.Jurisdictions);
        CheckAllowed("topic", metadata.Topics, schema.Topics);

        // Duplicates: the same text already in the corpus, whatever its front matter.
        var key = CorpusValidator.BodyKey(doc);
        var (files, _) = CorpusScanner.Scan([corpusDirectory]);
        foreach (var existing in files)
        {
            try
            {
                var other = DocumentReader.Read(existing.FullPath, existing.RelativePath, schema.MaxBytes);
                if (other.ContentHash == doc.ContentHash || CorpusValidator.BodyKey(other) == key)
                {
                    throw new ImportException($"{file} duplicates {existing.RelativePath} (same content); not added");
                }
            }
            catch (DocumentReadException)
            {
                // A broken file cannot be a duplicate; `corpus validate` reports it.
            }
        }

        // The main source's outlet and tier make its source line; asked for last, once the file is known to be addable.
        if (main.Outlet.Length == 0)
        {
            missing.Add("outlet");
        }

        if (main.Tier is null)
        {
            missing.Add("tier");
        }

        if (missing.Count > 0)
        {
            throw new ImportException($"missing the main source's {string.Join(", ", missing)}: pass {string.Join(" ", missing.Select(f => $"--{f} …"))}", missing);
        }

        var markdown = Render(metadata, doc);
        var name = Slug(metadata.Title) + ".md";
        var n = 2;
        while (File.Exists(Path.Combine(corpusDirectory, name)))
        {
            name = $"{Slug(metadata.Title)}-{n++}.md";
        }

        return (name, markdown, metadata);
    }

    /// <summary>The main source from the flags, else from the file's own front matter or HTML metadata, else from the document's fields.</summary>
    private static SourceReference MainSource(ImportMetadata supplied, DocumentMetadata metadata, SourceReference? own)
    {
        SourceDate? published = SourceDate.TryParse(metadata.Published, out var d) ? d : null;
        return new SourceReference
        {
            Outlet = Pick(supplied.Outlet, own?.Outlet) ?? "",
            Headline = Pick(supplied.Headline, own?.Headline) ?? metadata.Title,
            Authors = supplied.Authors.Count > 0 ? supplied.Authors : own?.Authors is { Count: > 0 } a ? a : metadata.Authors,
            Published = supplied.Published is not null ? published : own?.Published ?? published,
            AsOf = own?.AsOf,
            Url = SourceReference.HttpUrl(supplied.Url) ?? own?.Url ?? SourceReference.HttpUrl(metadata.Source),
            Tier = SourceTiers.TryParse(supplied.Tier, out var t) ? t : own?.Tier ?? (metadata.Kind == DocumentKinds.Primary ? SourceTier.Primary : null),
        };
    }

    private static bool HasKind(SourceDocument doc) => FrontMatter.Parse(doc.Text).GetString("kind") is not null;

    private static string? Pick(string? a, string? b) => !string.IsNullOrWhiteSpace(a) ? a.Trim() : !string.IsNullOrWhiteSpace(b) ? b.Trim() : null;

    private static void CheckAllowed(string field, IReadOnlyList<string> values, IReadOnlyDictionary<string, string>? allowed)
    {
        if (allowed is null)
        {
            return;
        }

        foreach (var v in values)
        {
            if (!allowed.ContainsKey(v))
            {
                throw new ImportException($"--{field} '{v}' is not in {CorpusSchema.FileName} (allowed: {string.Join(", ", allowed.Keys)})");
            }
        }
    }

    /// <summary>Front matter plus the body: a Markdown source keeps its body; text and HTML become headings and paragraphs.</summary>
    internal static string Render(DocumentMetadata m, SourceDocument doc)
    {
        var sb = new StringBuilder("---\n");
        sb.Append("title: ").Append(Yaml(m.Title)).Append('\n');
        sb.Append("source: ").Append(Yaml(m.Source)).Append('\n');
        if (m.Authors.Count > 0)
        {
            sb.Append("authors: [").Append(string.Join(", ", m.Authors.Select(Yaml))).Append("]\n");
        }

        if (m.Published is not null)
        {
            sb.Append("published: ").Append(m.Published).Append('\n');
        }

        sb.Append("as_of: ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("kind: ").Append(m.Kind).Append('\n');
        sb.Append("jurisdictions: [").Append(string.Join(", ", m.Jurisdictions.Select(Yaml))).Append("]\n");
        sb.Append("topics: [").Append(string.Join(", ", m.Topics.Select(Yaml))).Append("]\n");
        if (m.MainSource is { } main)
        {
            // The structured citation of the main source; its source line is composed from these fields.
            sb.Append("sources:\n");
            sb.Append("  - headline: ").Append(Yaml(main.Headline)).Append('\n');
            sb.Append("    outlet: ").Append(Yaml(main.Outlet)).Append('\n');
            sb.Append("    authors: [").Append(string.Join(", ", main.Authors.Select(Yaml))).Append("]\n");
            if (main.Published is { } published)
            {
                sb.Append("    published: ").Append(published.ToIso()).Append('\n');
            }

            if (main.AsOf is { } asOf)
            {
                sb.Append("    as_of: ").Append(asOf.ToIso()).Append('\n');
            }
            else if (main.Published is null)
            {
                sb.Append("    as_of: ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
            }

            sb.Append("    url: ").Append(Yaml(main.Url?.AbsoluteUri ?? "")).Append('\n');
            if (main.Tier is { } tier)
            {
                sb.Append("    tier: ").Append(SourceTiers.Name(tier)).Append('\n');
            }
        }

        sb.Append("---\n");

        var isMarkdown = doc.Path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || doc.Path.EndsWith(".markdown", StringComparison.OrdinalIgnoreCase);
        if (isMarkdown)
        {
            sb.Append(doc.Text[FrontMatter.Parse(doc.Text).BodyStart..].TrimStart('\n'));
        }
        else
        {
            sb.Append("# ").Append(m.Title).Append("\n\n");
            var section = "";
            foreach (var p in doc.Passages)
            {
                if (p.Section != section)
                {
                    section = p.Section;
                    var heading = section.Split(DocumentReader.SectionSeparator).Last();
                    if (heading.Length > 0)
                    {
                        sb.Append("## ").Append(heading).Append("\n\n");
                    }
                }

                sb.Append(doc.PassageText(p).Trim()).Append("\n\n");
            }
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static string Yaml(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal) + "\"";

    private static string Slug(string title)
    {
        var s = NonSlug().Replace(TextAnalyzerFold(title), "-").Trim('-');
        if (s.Length > 60)
        {
            s = s[..60].TrimEnd('-');
        }

        return s.Length == 0 ? "document" : s;
    }

    private static string TextAnalyzerFold(string s) => Analysis.TextAnalyzer.Fold(s);

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();
}
