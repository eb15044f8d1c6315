using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Syntax;

namespace PolicyBot.Search.Corpus;

/// <summary>Reads one corpus file (.md, .txt, .html) into a <see cref="SourceDocument"/> with passages.</summary>
public static partial class DocumentReader
{
    /// <summary>Files larger than this are refused (a corpus document is prose, not a dump).</summary>
    public const long DefaultMaxBytes = 2 * 1024 * 1024;

    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".md", ".markdown", ".txt", ".html", ".htm" };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    internal const string SectionSeparator = " › ";

    /// <summary>Reads and splits a file.</summary>
    /// <exception cref="DocumentReadException">The file cannot be used; the message says why.</exception>
    public static SourceDocument Read(string fullPath, string relativePath, long maxBytes = DefaultMaxBytes)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                throw new DocumentReadException("file disappeared before it could be read");
            }

            if (info.Length > maxBytes)
            {
                throw new DocumentReadException($"file is {info.Length:N0} bytes, over the {maxBytes:N0}-byte limit");
            }

            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DocumentReadException($"cannot read file: {ex.Message}", ex);
        }

        return Parse(bytes, fullPath, relativePath, maxBytes);
    }

    /// <summary>Parses file bytes (the extension of <paramref name="relativePath"/> picks the format).</summary>
    public static SourceDocument Parse(byte[] bytes, string fullPath, string relativePath, long maxBytes = DefaultMaxBytes)
    {
        if (bytes.Length > maxBytes)
        {
            throw new DocumentReadException($"file is {bytes.Length:N0} bytes, over the {maxBytes:N0}-byte limit");
        }

        if (bytes.Length == 0)
        {
            throw new DocumentReadException("file is empty");
        }

        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            throw new DocumentReadException("file is binary (contains NUL bytes), not text");
        }

        string text;
        try
        {
            var offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            text = StrictUtf8.GetString(bytes, offset, bytes.Length - offset);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DocumentReadException($"file is not valid UTF-8 (bad byte at offset {ex.Index})", ex);
        }

        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var ext = Path.GetExtension(relativePath).ToLowerInvariant();
        var (metadata, docText, blocks) = ext switch
        {
            ".md" or ".markdown" => ParseMarkdown(text),
            ".txt" => ParsePlainText(text),
            ".html" or ".htm" => ParseHtml(text),
            _ => throw new DocumentReadException($"unsupported file type '{ext}' (use .md, .txt or .html)"),
        };

        var passages = PassageBuilder.Build(docText, blocks);
        if (passages.Count == 0)
        {
            throw new DocumentReadException("document has no text to index");
        }

        if (string.IsNullOrWhiteSpace(metadata.Title))
        {
            metadata = metadata with { Title = Path.GetFileNameWithoutExtension(relativePath) };
        }

        return new SourceDocument
        {
            Path = relativePath.Replace('\\', '/'),
            FullPath = fullPath,
            ContentHash = hash,
            Metadata = metadata,
            Text = docText,
            Passages = passages,
        };
    }

    /// <summary>Reads the metadata fields of front matter (title may be empty: the caller derives one).</summary>
    public static DocumentMetadata MetadataFrom(FrontMatter fm, string fallbackTitle = "")
    {
        var kind = fm.GetString("kind")?.Trim().ToLowerInvariant();
        if (kind is not null && !DocumentKinds.All.Contains(kind))
        {
            throw new DocumentReadException($"'kind' must be one of {string.Join(", ", DocumentKinds.All)}, not '{kind}'", fm.LineOf("kind"));
        }

        return new DocumentMetadata
        {
            Title = Clean(fm.GetString("title")) ?? fallbackTitle,
            Source = Clean(fm.GetString("source")) ?? Clean(fm.GetString("url")) ?? "",
            Authors = fm.GetList("authors") is { Count: > 0 } a ? a : fm.GetList("author"),
            Published = fm.GetDate("published") ?? fm.GetDate("as_of") ?? fm.GetDate("date"),
            Jurisdictions = fm.GetList("jurisdictions"),
            Topics = fm.GetList("topics"),
            Kind = kind ?? DocumentKinds.Note,
        };
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : WhiteSpace().Replace(s.Trim(), " ");

    private static (DocumentMetadata, string, List<TextBlock>) ParseMarkdown(string text)
    {
        var fm = FrontMatter.Parse(text);
        var bodyStart = fm.BodyStart;
        var body = text[bodyStart..];
        var doc = Markdown.Parse(body, Pipeline);
        var blocks = new List<TextBlock>();
        var headings = new string[7];
        string? firstH1 = null;
        var section = "";

        void Walk(ContainerBlock container)
        {
            foreach (var block in container)
            {
                switch (block)
                {
                    case HeadingBlock h:
                        var line = body.Substring(h.Span.Start, Math.Max(0, Math.Min(h.Span.Length, body.Length - h.Span.Start)));
                        var nl = line.IndexOf('\n', StringComparison.Ordinal);
                        if (nl >= 0)
                        {
                            line = line[..nl];
                        }

                        var title = line.Trim().Trim('#').Trim();
                        var level = Math.Clamp(h.Level, 1, 6);
                        if (level == 1 && firstH1 is null)
                        {
                            firstH1 = title;
                        }

                        headings[level] = title;
                        for (var l = level + 1; l <= 6; l++)
                        {
                            headings[l] = "";
                        }

                        section = string.Join(SectionSeparator, headings.Skip(1).Where(x => !string.IsNullOrEmpty(x)));
                        break;
                    case ListBlock list:
                        Walk(list);
                        break;
                    case ListItemBlock item:
                        blocks.Add(new TextBlock(section, bodyStart + item.Span.Start, bodyStart + Math.Min(item.Span.End + 1, body.Length)));
                        break;
                    case ParagraphBlock or QuoteBlock or Markdig.Extensions.Tables.Table:
                        blocks.Add(new TextBlock(section, bodyStart + block.Span.Start, bodyStart + Math.Min(block.Span.End + 1, body.Length)));
                        break;
                    default:
                        break; // code, HTML, thematic breaks, link definitions: not prose
                }
            }
        }

        Walk(doc);
        var metadata = MetadataFrom(fm, firstH1 ?? "");
        return (metadata, text, blocks);
    }

    private static readonly string[] Boilerplate =
    [
        "copyright", "©", "related resources", "your membership also unlocks", "all rights reserved", "advertisement",
        "subscribe", "sign up for", "share this", "read more", "follow us", "click here",
    ];

    private static bool IsBoilerplate(string line)
    {
        var l = line.Trim();
        foreach (var b in Boilerplate)
        {
            if (l.StartsWith(b, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static int WordCount(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static (DocumentMetadata, string, List<TextBlock>) ParsePlainText(string text)
    {
        var fm = FrontMatter.Parse(text);
        var metadata = MetadataFrom(fm);
        var lines = new List<(int Start, string Text)>();
        var pos = fm.BodyStart;
        while (pos < text.Length)
        {
            var eol = text.IndexOf('\n', pos);
            var end = eol < 0 ? text.Length : eol;
            lines.Add((pos, text[pos..end]));
            pos = end + 1;
        }

        var title = metadata.Title;
        var authors = metadata.Authors;
        var blocks = new List<TextBlock>();
        var section = "";
        for (var i = 0; i < lines.Count; i++)
        {
            var (start, raw) = lines[i];
            var line = raw.Trim();
            if (line.Length == 0 || IsBoilerplate(line))
            {
                continue;
            }

            if (string.IsNullOrEmpty(title))
            {
                // The first real headline: not a lone section label ("Science"), not a byline.
                if (WordCount(line) >= 3 && !line.StartsWith("By ", StringComparison.Ordinal) && line.Length <= 200)
                {
                    title = line;
                    continue;
                }

                if (WordCount(line) < 3)
                {
                    continue;
                }
            }

            if (string.Equals(line, title, StringComparison.OrdinalIgnoreCase))
            {
                continue; // the headline repeated
            }

            var byline = Byline().Match(line);
            if (byline.Success && line.Length < 120)
            {
                if (authors.Count == 0)
                {
                    authors = byline.Groups[1].Value.Split([',', '&'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .SelectMany(a => a.Split(" and ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                }

                continue;
            }

            if (LooksLikeHeading(line, lines, i))
            {
                section = line.TrimEnd(':').Trim();
                continue;
            }

            blocks.Add(new TextBlock(section, start, start + raw.Length));
        }

        metadata = metadata with { Title = title, Authors = authors };
        return (metadata, text, blocks);
    }

    private static bool LooksLikeHeading(string line, List<(int Start, string Text)> lines, int index)
    {
        if (line.Length > 90 || WordCount(line) > 12 || line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal))
        {
            return false;
        }

        var last = line[^1];
        if (last is '.' or '!' or '?' or ';' or ',' or '"' or '”' or '\'' or '’' or ')')
        {
            return false;
        }

        // A heading is followed by body text.
        for (var j = index + 1; j < lines.Count; j++)
        {
            var next = lines[j].Text.Trim();
            if (next.Length > 0)
            {
                return next.Length > line.Length || next.StartsWith("- ", StringComparison.Ordinal);
            }
        }

        return false;
    }

    private static readonly string[] SkippedHtmlElements = ["script", "style", "nav", "header", "footer", "aside", "noscript", "form", "svg", "iframe", "template", "button"];

    private static readonly HashSet<string> HtmlBlocks = new(StringComparer.OrdinalIgnoreCase) { "p", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "main" };

    private static (DocumentMetadata, string, List<TextBlock>) ParseHtml(string html)
    {
        var parser = new HtmlParser();
        var doc = parser.ParseDocument(html);
        foreach (var el in doc.QuerySelectorAll(string.Join(',', SkippedHtmlElements)).ToList())
        {
            el.Remove();
        }

        var title = Clean(doc.Title) ?? Clean(doc.QuerySelector("h1")?.TextContent) ?? "";
        var root = (IElement?)doc.QuerySelector("main") ?? doc.QuerySelector("article") ?? doc.Body;
        var sb = new StringBuilder();
        var blocks = new List<TextBlock>();
        var headings = new string[7];
        var section = "";
        if (root is not null)
        {
            foreach (var el in root.Descendants<IElement>())
            {
                var name = el.LocalName;
                if (!HtmlBlocks.Contains(name) || el.Children.Any(c => HtmlBlocks.Contains(c.LocalName)))
                {
                    continue; // only leaf blocks, so no text is taken twice
                }

                var content = Clean(el.TextContent);
                if (content is null)
                {
                    continue;
                }

                if (name.Length == 2 && name[0] == 'h' && char.IsAsciiDigit(name[1]))
                {
                    var level = name[1] - '0';
                    headings[level] = content;
                    for (var l = level + 1; l <= 6; l++)
                    {
                        headings[l] = "";
                    }

                    section = string.Join(SectionSeparator, headings.Skip(1).Where(x => !string.IsNullOrEmpty(x)));
                    sb.Append(content).Append("\n\n");
                    continue;
                }

                var start = sb.Length;
                sb.Append(content);
                blocks.Add(new TextBlock(section, start, sb.Length));
                sb.Append("\n\n");
            }
        }

        var metadata = new DocumentMetadata
        {
            Title = title,
            Source = doc.QuerySelector("link[rel=canonical]")?.GetAttribute("href") ?? doc.QuerySelector("meta[property='og:url']")?.GetAttribute("content") ?? "",
            Authors = doc.QuerySelector("meta[name=author]")?.GetAttribute("content") is { Length: > 0 } author ? [author] : [],
            Published = FrontMatter.NormaliseDate(doc.QuerySelector("meta[property='article:published_time']")?.GetAttribute("content") ?? "") ,
            Kind = DocumentKinds.Article,
        };
        return (metadata, sb.ToString(), blocks);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"^By\s+(.+)$")]
    private static partial Regex Byline();
}
