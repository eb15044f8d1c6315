using PolicyBot.Core.Conversation;
using PolicyBot.Core.Searching;
using PolicyBot.Search.Corpus;

namespace PolicyBot.Search.Tests.Corpus;

public sealed class SourceFieldsTests
{
    private const string Good = """
        ---
        title: "Hosting note"
        source: "South China Morning Post, opinion"
        sources:
          - headline: "Why Hong Kong should seek to co-host"
            outlet: "South China Morning Post"
            authors: ["Alfons Futterer", "Zhonghua Sheng"]
            published: 2025-09  # month only
            url: ""
            tier: opinion
            note: "Undated seed copy; the editors' remark stays here."
          - title: "Regulation (EU) 2024/1689"
            outlet: "Official Journal of the European Union"
            issuers: ["European Parliament", "Council of the European Union"]
            published: 2024-07-12
            url: "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
            tier: primary
        kind: note
        jurisdictions: [HK]
        topics: [hosting]
        ---
        # Hosting

        ## Why Hong Kong
        Hong Kong offers a common-law court system and a free port to any international agency it hosts.
        """;

    [Fact]
    public void Read_GoodEntries_StructuredFieldsWithPrecisionAndNoRemarks()
    {
        var fm = FrontMatter.Parse(Good.Replace("\r\n", "\n", StringComparison.Ordinal));
        var entries = SourceFields.Read(fm, SourceTiers.Names);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Empty(e.Problems));
        var main = entries[0].Reference;
        Assert.Equal("South China Morning Post · Futterer & Sheng · opinion · Sept 2025", SourceLine.Compose(main));
        Assert.Equal(DatePrecision.Month, main.Published!.Value.Precision);
        Assert.Null(main.Url);
        Assert.Equal("Regulation (EU) 2024/1689", entries[1].Reference.Headline);
        Assert.Equal(["European Parliament", "Council of the European Union"], entries[1].Issuers);
        Assert.Equal("Official Journal of the European Union · primary · 12 July 2024", SourceLine.Compose(entries[1].Reference));
    }

    [Fact]
    public void Validate_BadEntries_EachProblemNamedWithItsLine()
    {
        using var corpus = new TestCorpus();
        corpus.Write("bad.md", """
            ---
            title: "Bad sources"
            source: "x"
            kind: note
            sources:
              - headline: "No outlet, a bad tier, a bad date and a script URL"
                tier: rumour
                published: September 2025
                url: "javascript:alert(1)"
                colour: blue
              - "just a string"
            ---
            # Bad

            A paragraph long enough to be a passage of the document.
            """);
        var problems = CorpusValidator.Validate(corpus.CorpusDir).Select(p => p.ToString()).ToList();
        Assert.Contains(problems, p => p.Contains("bad.md:6:", StringComparison.Ordinal) && p.Contains("no 'outlet'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("tier 'rumour' is not one of: primary, analysis, news, opinion, note", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("published 'September 2025' is not a date", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("url 'javascript:alert(1)' is not an absolute http(s) URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown field 'colour'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("bad.md:11:", StringComparison.Ordinal) && p.Contains("must be a mapping", StringComparison.Ordinal));
    }

    // The defect behind "South China Morning Post" shown with a completeaitraining.com link: one entry joining one
    // copy's url to another outlet's name. The schema's outlets list lets validate catch the whole class.
    [Fact]
    public void Validate_UrlOfOneOutletWithAnothersName_Reported()
    {
        using var corpus = new TestCorpus();
        corpus.Write("schema.yaml", """
            outlets:
              "South China Morning Post": "scmp.com"
              "Complete AI Training": "completeaitraining.com"
            """);
        corpus.Write("mixed.md", """
            ---
            title: "Mixed"
            source: "x"
            kind: note
            sources:
              - headline: "A rewrite's url under the original's outlet"
                outlet: "South China Morning Post"
                published: 2025-11-19
                url: "https://completeaitraining.com/news/x"
                tier: news
              - headline: "A listed outlet on a stranger's host"
                outlet: "Complete AI Training"
                published: 2025-11-19
                url: "https://EXAMPLE.org/copy"
                tier: news
              - headline: "The original on its own site (subdomain)"
                outlet: "South China Morning Post"
                published: 2025-11-19
                url: "https://www.scmp.com/news/x"
                tier: news
              - headline: "An unlisted outlet on an unlisted host, and one with no url"
                outlet: "Bürgerblatt 新闻"
                published: 2025
                url: "https://xn--brgerblatt-9db.de/a"
                tier: news
              - headline: "No url"
                outlet: "South China Morning Post"
                published: 2025
                url: ""
                tier: news
            ---
            # Mixed

            A paragraph long enough to be a passage of the document.
            """);
        var problems = CorpusValidator.Validate(corpus.CorpusDir).Select(p => p.ToString()).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("mixed.md:6:", StringComparison.Ordinal) && p.Contains("completeaitraining.com, the site of 'Complete AI Training', but the entry's outlet is 'South China Morning Post'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("mixed.md:11:", StringComparison.Ordinal) && p.Contains("outlet 'Complete AI Training' publishes on completeaitraining.com", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SourcesNotAList_OneClearProblem()
    {
        using var corpus = new TestCorpus();
        corpus.Write("n.md", "---\ntitle: \"T\"\nsource: \"x\"\nkind: note\nsources: \"SCMP\"\n---\n# T\n\nA paragraph long enough to be a passage here.\n");
        var problem = Assert.Single(CorpusValidator.Validate(corpus.CorpusDir));
        Assert.Contains("'sources' must be a list", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedCorpus_EveryNoteHasAMainSourceWithTierDateAndNoEditorialRemarksInItsLine()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        var corpusDir = Path.Combine(dir!.FullName, "corpus");
        Assert.Empty(CorpusValidator.Validate(corpusDir));
        var files = Directory.GetFiles(corpusDir, "*.md").Where(f => !f.EndsWith("README.md", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count >= 18);
        foreach (var file in files)
        {
            var doc = DocumentReader.Read(file, Path.GetFileName(file));
            var main = doc.Metadata.MainSource;
            Assert.NotNull(main);
            Assert.NotNull(main.Tier);
            Assert.NotNull(main.Date);
            var line = SourceLine.Compose(main);
            Assert.DoesNotContain("seed", line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("(", line, StringComparison.Ordinal);
            Assert.DoesNotContain("approximate", doc.Metadata.Source, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Engine_Citation_CarriesTheMainSource()
    {
        using var corpus = new TestCorpus();
        corpus.Write("hosting.md", Good.Replace("\r\n", "\n", StringComparison.Ordinal));
        await using var engine = await corpus.OpenAsync();
        var answer = engine.Answer(new Question("Which agency would Hong Kong host with a free port?", QuestionContext.Cli));
        Assert.True(answer.Answered, answer.Text);
        var c = answer.Citations[0];
        Assert.Equal("South China Morning Post · Futterer & Sheng · opinion · Sept 2025", c.SourceLineText);
        Assert.Equal(["HK"], c.Jurisdictions);
        Assert.Equal(["hosting"], c.Topics);
    }
}
