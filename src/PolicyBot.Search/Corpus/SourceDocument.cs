namespace PolicyBot.Search.Corpus;

/// <summary>The document kinds a corpus holds.</summary>
public static class DocumentKinds
{
    public const string Article = "article";
    public const string Note = "note";
    public const string Primary = "primary";

    public static IReadOnlyList<string> All { get; } = [Article, Note, Primary];
}

/// <summary>Front-matter metadata of a document (normalised).</summary>
public sealed record DocumentMetadata
{
    public required string Title { get; init; }

    public string Source { get; init; } = "";

    public IReadOnlyList<string> Authors { get; init; } = [];

    /// <summary>yyyy-MM-dd when known.</summary>
    public string? Published { get; init; }

    public IReadOnlyList<string> Jurisdictions { get; init; } = [];

    public IReadOnlyList<string> Topics { get; init; } = [];

    public string Kind { get; init; } = DocumentKinds.Note;
}

/// <summary>A passage: a span of the document text under a heading path.</summary>
/// <param name="Ordinal">0-based position of the passage in its document.</param>
/// <param name="Section">Heading path, " › "-separated; empty before the first heading.</param>
/// <param name="Start">Offset of the passage in <see cref="SourceDocument.Text"/>.</param>
/// <param name="Length">Length of the passage.</param>
public sealed record PassageSpan(int Ordinal, string Section, int Start, int Length);

/// <summary>
/// A document read from the corpus. <see cref="Text"/> is the file's text with line endings normalised to
/// <c>\n</c> (for HTML: the extracted text), and every passage is the exact substring at its offsets.
/// </summary>
public sealed record SourceDocument
{
    /// <summary>Path relative to its corpus folder, with '/' separators.</summary>
    public required string Path { get; init; }

    /// <summary>Absolute path of the file (the index key).</summary>
    public required string FullPath { get; init; }

    /// <summary>SHA-256 (hex) of the file's bytes.</summary>
    public required string ContentHash { get; init; }

    public required DocumentMetadata Metadata { get; init; }

    public required string Text { get; init; }

    public required IReadOnlyList<PassageSpan> Passages { get; init; }

    public string PassageText(PassageSpan passage) => Text.Substring(passage.Start, passage.Length);
}

/// <summary>A file that could not be read, and why.</summary>
public sealed record SkippedFile(string Path, string Reason, int? Line = null);
