using System.Text.Json;

namespace PolicyBot.Host.Tests.Cli;

public class CorpusCommandTests
{
    private const string Schema = """
        required: [title, source, kind]
        max_bytes: 100000
        kinds:
          article: a
          note: n
          primary: p
        jurisdictions:
          HK: Hong Kong
          CN: China
        topics:
          hosting: h
          waico: w
        """;

    private static TempWorkspace WithSchema()
    {
        var ws = new TempWorkspace().WithNotes();
        ws.Write("corpus/schema.yaml", Schema);
        ws.Write("corpus/synonyms.txt", "Hong Kong, HK\n");
        return ws;
    }

    [Fact]
    public async Task Validate_GoodCorpus_ExitsZero()
    {
        using var ws = WithSchema();
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "validate");
        Assert.True(code == 0, stdout);
        Assert.Contains("OK", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nosource.md", "---\ntitle: X\nkind: note\n---\nSome body text for the note.", "nosource.md:1: required field 'source'")]
    [InlineData("badkind.md", "---\ntitle: X\nsource: s\nkind: blog\n---\nSome body text for the note.", "badkind.md:4:")]
    [InlineData("baddate.md", "---\ntitle: X\nsource: s\nkind: note\npublished: soon\n---\nSome body text.", "baddate.md:5:")]
    [InlineData("badtopic.md", "---\ntitle: X\nsource: s\nkind: note\ntopics: [cooking]\n---\nSome body text.", "topics value 'cooking' is not in schema.yaml")]
    [InlineData("badjur.md", "---\ntitle: X\nsource: s\nkind: note\njurisdictions: [XX]\n---\nSome body text.", "jurisdictions value 'XX'")]
    [InlineData("badyaml.md", "---\ntitle: [x\n---\nSome body text.", "not valid YAML")]
    [InlineData("empty.md", "", "file is empty")]
    [InlineData("nofm.md", "# Just a heading\n\nAnd text without front matter.", "no front matter")]
    [InlineData("dup.md", "---\ntitle: Copy\nsource: s\nkind: note\n---\n# NIST AI Risk Management Framework\n\nThe AI Risk Management Framework is voluntary. Its core has four functions: Govern, Map, Measure and Manage.\n", "rmf.md: duplicate of dup.md")]
    public async Task Validate_BrokenFile_FailsNamingFileLineAndProblem(string file, string content, string expected)
    {
        using var ws = WithSchema();
        ws.Write("corpus/" + file, content);
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "validate");
        Assert.Equal(1, code);
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_OversizedAndBadSynonyms_Fail()
    {
        using var ws = WithSchema();
        ws.Write("corpus/big.md", "---\ntitle: Big\nsource: s\nkind: note\n---\n" + new string('a', 200_000));
        ws.Write("corpus/synonyms.txt", "Hong Kong, HK\nlonely\n, ,\n");
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "validate");
        Assert.Equal(1, code);
        Assert.Contains("big.md: file is", stdout, StringComparison.Ordinal);
        Assert.Contains("synonyms.txt:2:", stdout, StringComparison.Ordinal);
        Assert.Contains("synonyms.txt:3:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BadGlossary_FailsNamingEachLine()
    {
        using var ws = WithSchema();
        ws.Write("corpus/glossary.tsv", "# glossary\n香港\t香港\tHong Kong\n上海 Shanghai\n香港\t香港\tHK\n治理x\t治理\tgovernance\n监管\t監管\t监管 regulation\n");
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "validate");
        Assert.Equal(1, code);
        Assert.Contains("glossary.tsv:3: expected 3 columns", stdout, StringComparison.Ordinal);
        Assert.Contains("glossary.tsv:4: duplicate term '香港' (first on line 2)", stdout, StringComparison.Ordinal);
        Assert.Contains("glossary.tsv:5: mixed scripts", stdout, StringComparison.Ordinal);
        Assert.Contains("glossary.tsv:6: mixed scripts", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_TextFileWithMetadata_NormalisesIntoCorpusAndIsAnswerableAtOnce()
    {
        using var ws = WithSchema();
        var article = ws.Write("incoming/article.txt", """
            Science

            Why the proposed organisation needs a trusted host

            By Ann Lee

            Copyright someone

            Hong Kong offers a zero-tariff free port and a trusted common-law court system to any international agency it hosts.
            Related resources
            """);
        var (code, stdout, stderr) = await CliRunner.RunAsync(ws.Root, null, "corpus", "add", article, "--source", "https://example.org/article", "--kind", "article", "--jurisdiction", "HK", "--topic", "hosting", "--published", "2025-09", "--outlet", "Example Daily", "--tier", "opinion");
        Assert.True(code == 0, stderr + stdout);
        var added = Directory.GetFiles(ws.Corpus, "why-the-proposed-organisation*.md").Single();
        var text = File.ReadAllText(added);
        Assert.StartsWith("---\ntitle: \"Why the proposed organisation needs a trusted host\"\nsource: \"https://example.org/article\"\nauthors: [\"Ann Lee\"]\npublished: 2025-09\n", text, StringComparison.Ordinal);
        Assert.Contains("sources:\n  - headline: \"Why the proposed organisation needs a trusted host\"\n    outlet: \"Example Daily\"\n    authors: [\"Ann Lee\"]\n    published: 2025-09\n    url: \"https://example.org/article\"\n    tier: opinion\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Copyright", text, StringComparison.Ordinal);
        Assert.Contains("added     why-the-proposed", stdout, StringComparison.Ordinal);

        var (_, answer, _) = await CliRunner.RunAsync(ws.Root, null, "ask", "--json", "Which city offers a zero-tariff free port to an agency it hosts?");
        using var doc = JsonDocument.Parse(answer.Trim());
        Assert.Equal("Why the proposed organisation needs a trusted host", doc.RootElement.GetProperty("citations")[0].GetProperty("title").GetString());
        Assert.Equal("Example Daily · Lee · opinion · Sept 2025", doc.RootElement.GetProperty("citations")[0].GetProperty("source_line").GetString());
        var (valid, report, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "validate");
        Assert.True(valid == 0, report);
    }

    [Fact]
    public async Task Add_MissingSourceWithoutTerminal_FailsClearly()
    {
        using var ws = WithSchema();
        var file = ws.Write("incoming/n.md", "# A note title\n\nBody text of the note that is long enough.");
        var (code, _, stderr) = await CliRunner.RunAsync(ws.Root, "", "corpus", "add", file, "--kind", "note");
        Assert.Equal(2, code);
        Assert.Contains("missing required source", stderr, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(ws.Corpus, "*.md").Length);
    }

    [Fact]
    public async Task Add_Duplicate_IsRefusedNamingTheExistingFile()
    {
        using var ws = WithSchema();
        var copy = ws.Write("incoming/copy.md", File.ReadAllText(Path.Combine(ws.Corpus, "rmf.md")));
        var (code, _, stderr) = await CliRunner.RunAsync(ws.Root, null, "corpus", "add", copy);
        Assert.Equal(2, code);
        Assert.Contains("duplicates rmf.md", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_UnknownTopic_IsRefused()
    {
        using var ws = WithSchema();
        var file = ws.Write("incoming/n.html", "<html><head><title>Page</title></head><body><p>Some paragraph text about AI governance here.</p></body></html>");
        var (code, _, stderr) = await CliRunner.RunAsync(ws.Root, null, "corpus", "add", file, "--source", "s", "--kind", "note", "--topic", "cooking");
        Assert.Equal(2, code);
        Assert.Contains("--topic 'cooking' is not in schema.yaml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAndRemove_ShowDocumentsThenDropOne()
    {
        using var ws = WithSchema();
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "list", "--json");
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var titles = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("title").GetString()).ToList();
            Assert.Equal(["Hosting the proposed AI body", "NIST AI Risk Management Framework"], titles);
            Assert.Equal(2, doc.RootElement[0].GetProperty("passages").GetInt32());
        }

        var (rm, rmOut, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "remove", "rmf.md");
        Assert.Equal(0, rm);
        Assert.Contains("removed   rmf.md", rmOut, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Corpus, "rmf.md")));
        var (_, table, _) = await CliRunner.RunAsync(ws.Root, null, "corpus", "list");
        Assert.Contains("1 documents", table, StringComparison.Ordinal);

        var (outside, _, err) = await CliRunner.RunAsync(ws.Root, null, "corpus", "remove", "../etc/passwd");
        Assert.Equal(2, outside);
        Assert.Contains("not inside the corpus", err, StringComparison.Ordinal);
    }
}
