using PolicyBot.Core.Language;

namespace PolicyBot.Core.Tests.Language;

public sealed class GlossaryTests
{
    private static string RepositoryFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine([dir!.FullName, .. parts]);
    }

    [Fact]
    public void Parse_WellFormedLines_MapsBothScripts()
    {
        var problems = new List<GlossaryProblem>();
        var g = Glossary.Parse("# comment\n\n香港\t香港\tHong Kong\n共同主办\t共同主辦\tco-host\n的\t的\t-\n", problems);
        Assert.Empty(problems);
        Assert.Equal(3, g.Entries.Count);
        Assert.True(g.TryLookup("共同主辦", out var e, out var traditional));
        Assert.Equal("co-host", e.English);
        Assert.True(traditional);
        Assert.True(g.TryLookup("共同主办", out _, out traditional));
        Assert.False(traditional);
        Assert.True(g.TryLookup("的", out var function, out _));
        Assert.True(function.IsFunctionWord);
        Assert.Equal(4, g.LongestTerm);
    }

    [Theory]
    [InlineData("香港 Hong Kong", "expected 3 columns")]
    [InlineData("香港\t香港", "expected 3 columns")]
    [InlineData("香港\t香港\tHong Kong\textra", "expected 3 columns")]
    [InlineData("香港\t\tHong Kong", "a column is empty")]
    [InlineData("香港HK\t香港\tHong Kong", "mixed scripts")]
    [InlineData("香港\t香港\t香港 Hong Kong", "mixed scripts")]
    [InlineData("ＡＩ智能\t人工智能\tAI", "mixed scripts")]
    public void Parse_BadLine_ReportedWithLineAndLeftOut(string line, string message)
    {
        var problems = new List<GlossaryProblem>();
        var g = Glossary.Parse("上海\t上海\tShanghai\n" + line + "\n", problems);
        var p = Assert.Single(problems);
        Assert.Equal(2, p.Line);
        Assert.Contains(message, p.Message, StringComparison.Ordinal);
        Assert.Single(g.Entries);
    }

    [Fact]
    public void Parse_DuplicateTerm_InEitherScript_Reported()
    {
        var problems = new List<GlossaryProblem>();
        Glossary.Parse("治理\t治理\tgovernance\n监管\t監管\tregulation\n治理\t治理\tgoverning\n规管\t監管\tregulation\n", problems);
        Assert.Equal(2, problems.Count);
        Assert.Contains("duplicate term '治理' (first on line 1)", problems[0].Message, StringComparison.Ordinal);
        Assert.Equal(3, problems[0].Line);
        Assert.Contains("duplicate term '監管' (first on line 2)", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingOrUnreadableFile_GivesEmptyOrProblem()
    {
        var dir = Directory.CreateTempSubdirectory("policybot-glossary-");
        try
        {
            Assert.Same(Glossary.Empty, Glossary.Load([dir.FullName]));
            File.WriteAllBytes(Path.Combine(dir.FullName, Glossary.FileName), [0xE9, 0x99, 0x09, 0xFF, 0xFE]);
            var problems = new List<GlossaryProblem>();
            Assert.Empty(Glossary.Load([dir.FullName], problems).Entries);
            Assert.Contains("cannot read", Assert.Single(problems).Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void ShippedGlossary_IsValidWithAtLeast150PolicyTermsInBothScripts()
    {
        var problems = new List<GlossaryProblem>();
        var g = Glossary.Parse(File.ReadAllText(RepositoryFile("corpus", Glossary.FileName)), problems);
        Assert.Empty(problems);
        var policyTerms = g.Entries.Count(e => !e.IsFunctionWord && e.English.Length > 3);
        Assert.True(policyTerms >= 150, $"{policyTerms} policy terms");
        Assert.True(g.Entries.Count(e => e.Traditional != e.Simplified) >= 100);
        foreach (var (zh, en) in new[] { ("香港", "Hong Kong"), ("上海", "Shanghai"), ("人工智能", "artificial intelligence"), ("世界人工智能合作组织", "World Artificial Intelligence Cooperation Organisation"), ("共同主办", "co-host"), ("治理", "governance"), ("欧盟人工智能法案", "EU AI Act") })
        {
            Assert.True(g.TryLookup(zh, out var e, out _), zh);
            Assert.Equal(en, e.English);
        }
    }
}
