using System.Text;
using PolicyBot.Search.Corpus;

namespace PolicyBot.Search.Tests.Corpus;

public class DocumentReaderTests
{
    private static SourceDocument Parse(string name, string content) =>
        DocumentReader.Parse(Encoding.UTF8.GetBytes(content), "/corpus/" + name, name);

    private static void AssertPassagesAreExactSpans(SourceDocument doc)
    {
        Assert.NotEmpty(doc.Passages);
        foreach (var p in doc.Passages)
        {
            var text = doc.PassageText(p);
            Assert.Equal(doc.Text.Substring(p.Start, p.Length), text);
            Assert.Equal(text.Trim(), text);
            Assert.True(p.Length <= PassageBuilder.MaxPassage, $"passage {p.Ordinal} is {p.Length} chars");
        }

        Assert.Equal(Enumerable.Range(0, doc.Passages.Count), doc.Passages.Select(p => p.Ordinal));
    }

    [Fact]
    public void Parse_MarkdownWithFrontMatter_ReadsMetadataSectionsAndOffsets()
    {
        var doc = Parse("note.md", """
            ---
            title: "Hosting options"
            source: https://example.org/a
            authors: [Ann Lee, Bo Chan]
            published: 2025-07-26
            jurisdictions: [HK, CN]
            topics: [hosting]
            kind: note
            ---
            # Hosting options

            Intro paragraph about the proposed organisation and why hosting matters to the host city and to China.
            It wraps onto a second line, and it keeps going so that it is long enough to stand alone as a passage here.

            ## Hong Kong
            ### Legal system
            Hong Kong has a common-law legal system and an independent judiciary, which international members trust more than most.

            - The city is a free port.
            - It has deep capital markets.
            """);
        Assert.Equal("Hosting options", doc.Metadata.Title);
        Assert.Equal("https://example.org/a", doc.Metadata.Source);
        Assert.Equal(["Ann Lee", "Bo Chan"], doc.Metadata.Authors);
        Assert.Equal("2025-07-26", doc.Metadata.Published);
        Assert.Equal(["HK", "CN"], doc.Metadata.Jurisdictions);
        Assert.Equal("note", doc.Metadata.Kind);
        AssertPassagesAreExactSpans(doc);
        Assert.Equal("Hosting options", doc.Passages[0].Section);
        var legal = doc.Passages.Single(p => doc.PassageText(p).Contains("independent judiciary", StringComparison.Ordinal));
        Assert.Equal("Hosting options › Hong Kong › Legal system", legal.Section);
        Assert.DoesNotContain(doc.Passages, p => doc.PassageText(p).Contains("title:", StringComparison.Ordinal));
        Assert.Contains(doc.Passages, p => doc.PassageText(p).Contains("free port", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MarkdownWithoutFrontMatter_TitleFromFirstHeadingAndCodeSkipped()
    {
        var doc = Parse("plain.md", "# The EU AI Act\n\nThe Act sorts AI systems by risk.\n\n```\ncode block not prose\n```\n");
        Assert.Equal("The EU AI Act", doc.Metadata.Title);
        Assert.DoesNotContain(doc.Passages, p => doc.PassageText(p).Contains("code block", StringComparison.Ordinal));
        AssertPassagesAreExactSpans(doc);
    }

    [Fact]
    public void Parse_CrLfLineEndings_NormalisedAndOffsetsHold()
    {
        var doc = Parse("crlf.md", "---\r\ntitle: CRLF\r\n---\r\nFirst paragraph here, long enough to count.\r\n\r\nSecond paragraph here, also long enough.\r\n");
        Assert.Equal("CRLF", doc.Metadata.Title);
        Assert.DoesNotContain('\r', doc.Text);
        AssertPassagesAreExactSpans(doc);
    }

    [Fact]
    public void Parse_PlainTextArticle_TitleSkipsSectionLabelAndBoilerplateIsDropped()
    {
        var doc = Parse("article.txt", """
            Science

            Why Hong Kong should co-host the global AI centre

            By Ann Lee,Bo Chan

            Copyright scmp

            Why Hong Kong should co-host the global AI centre

            Hong Kong is emerging as a contender to host the proposed organisation, challenging Shanghai.
            The initiative was first proposed by the Chinese premier in July.
            Related resources
            Your membership also unlocks: more articles
            """);
        Assert.Equal("Why Hong Kong should co-host the global AI centre", doc.Metadata.Title);
        Assert.Equal(["Ann Lee", "Bo Chan"], doc.Metadata.Authors);
        var all = string.Join("\n", doc.Passages.Select(doc.PassageText));
        Assert.DoesNotContain("Copyright", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Science", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Related resources", all, StringComparison.Ordinal);
        Assert.DoesNotContain("membership", all, StringComparison.Ordinal);
        Assert.Contains("first proposed", all, StringComparison.Ordinal);
        AssertPassagesAreExactSpans(doc);
    }

    [Fact]
    public void Parse_PlainTextHeadings_BecomeSections()
    {
        var doc = Parse("a.txt", "A headline for the article here\nIntro sentence that is long enough to be a paragraph on its own.\nSignals to watch next\n- Hong Kong IPO pipeline for AI-native firms.\n- EU AI Act rulemaking timelines.\n");
        var signals = doc.Passages.Single(p => doc.PassageText(p).Contains("IPO pipeline", StringComparison.Ordinal));
        Assert.Equal("Signals to watch next", signals.Section);
    }

    [Fact]
    public void Parse_Html_TakesTitleAndMainTextWithoutScriptStyleNav()
    {
        var doc = Parse("page.html", """
            <html><head><title>AI Verify overview</title><style>p{color:red}</style><script>var secret=1;</script></head>
            <body><nav><a href="/">Home</a> navigation links</nav>
            <main><h1>AI Verify</h1><p>AI Verify is a testing framework and toolkit launched by Singapore in 2022.</p>
            <h2>Backers</h2><ul><li>The AI Verify Foundation was launched in June 2023.</li></ul></main>
            <footer>Footer text</footer></body></html>
            """);
        Assert.Equal("AI Verify overview", doc.Metadata.Title);
        var all = string.Join("\n", doc.Passages.Select(doc.PassageText));
        Assert.Contains("testing framework", all, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", all, StringComparison.Ordinal);
        Assert.DoesNotContain("navigation", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Footer", all, StringComparison.Ordinal);
        Assert.DoesNotContain("color", all, StringComparison.Ordinal);
        Assert.Contains(doc.Passages, p => p.Section == "AI Verify › Backers");
        AssertPassagesAreExactSpans(doc);
    }

    [Fact]
    public void Parse_LongParagraph_IsCutAtSentenceBoundaries()
    {
        var sentence = "The framework sets out duties for providers of high-risk systems in clear terms. ";
        var doc = Parse("long.md", "# Long\n\n" + string.Concat(Enumerable.Repeat(sentence, 60)));
        Assert.True(doc.Passages.Count > 1);
        AssertPassagesAreExactSpans(doc);
        Assert.All(doc.Passages, p => Assert.EndsWith("terms.", doc.PassageText(p), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bad.md", "---\ntitle: [unclosed\n---\nBody text here.", "not valid YAML")]
    [InlineData("nofence.md", "---\ntitle: x\nBody text here without a closing fence.", "no closing")]
    [InlineData("list.md", "---\n- a\n- b\n---\nBody text.", "mapping")]
    [InlineData("kind.md", "---\ntitle: x\nkind: blog\n---\nBody text here.", "'kind' must be one of")]
    [InlineData("date.md", "---\ntitle: x\npublished: last tuesday\n---\nBody text here.", "not a date")]
    [InlineData("empty.md", "---\ntitle: only metadata\n---\n", "no text")]
    [InlineData("blank.txt", "   \n\n  ", "no text")]
    [InlineData("x.pdf", "some text", "unsupported file type")]
    public void Parse_BadFile_ThrowsWithReason(string name, string content, string reason)
    {
        var ex = Assert.Throws<DocumentReadException>(() => Parse(name, content));
        Assert.Contains(reason, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_BadYaml_ReportsLine()
    {
        var ex = Assert.Throws<DocumentReadException>(() => Parse("bad.md", "---\ntitle: ok\nsource: [unclosed\nkind: note\n---\nBody."));
        Assert.NotNull(ex.Line);
        Assert.InRange(ex.Line!.Value, 2, 6);
    }

    [Fact]
    public void Parse_EmptyFile_Throws() =>
        Assert.Contains("empty", Assert.Throws<DocumentReadException>(() => DocumentReader.Parse([], "/c/e.md", "e.md")).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_Binary_Throws() =>
        Assert.Contains("binary", Assert.Throws<DocumentReadException>(() => DocumentReader.Parse([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01], "/c/b.md", "b.md")).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_InvalidUtf8_Throws() =>
        Assert.Contains("UTF-8", Assert.Throws<DocumentReadException>(() => DocumentReader.Parse([0x48, 0x69, 0xC3, 0x28, 0x20, 0x68], "/c/u.md", "u.md")).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_OverSizeCap_Throws() =>
        Assert.Contains("limit", Assert.Throws<DocumentReadException>(() => DocumentReader.Parse(Encoding.UTF8.GetBytes(new string('a', 2000)), "/c/big.md", "big.md", maxBytes: 1000)).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_NonEnglishText_IsIndexedAsIs()
    {
        var doc = Parse("zh.md", "---\ntitle: 人工智能治理\n---\n人工智能治理框架于二〇二三年发布。香港是国际金融中心。\n");
        Assert.Equal("人工智能治理", doc.Metadata.Title);
        AssertPassagesAreExactSpans(doc);
    }

    [Fact]
    public void Parse_Utf8Bom_IsIgnored()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("---\ntitle: BOM\n---\nText of the document is here.")).ToArray();
        Assert.Equal("BOM", DocumentReader.Parse(bytes, "/c/bom.md", "bom.md").Metadata.Title);
    }
}
