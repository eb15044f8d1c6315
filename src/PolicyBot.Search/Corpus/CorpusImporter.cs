using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
        var metadata = new DocumentMetadata
        {
            Title = Pick(supplied.Title, hasOwnTitle ? m.Title : null) ?? "",
            Source = Pick(supplied.Source, m.Source) ?? "",
            Authors = supplied.Authors.Count > 0 ? supplied.Authors : m.Authors,
            Published = supplied.Published is { } p ? FrontMatter.NormaliseDate(p) ?? throw new ImportException($"--published '{p}' is not a date (use yyyy-mm-dd)") : m.Published,
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

        if (missing.Count > 0)
        {
            throw new ImportException($"missing required {string.Join(", ", missing)}: pass {string.Join(" ", missing.Select(f => $"--{f} …"))}", missing);
        }

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

        var markdown = Render(metadata, doc);
        var name = Slug(metadata.Title) + ".md";
        var n = 2;
        while (File.Exists(Path.Combine(corpusDirectory, name)))
        {
            name = $"{Slug(metadata.Title)}-{n++}.md";
        }

        return (name, markdown, metadata);
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
