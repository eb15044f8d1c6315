using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Ranking.Semantic;

namespace PolicyBot.Search.Tests;

/// <summary>Answer trust on the shipped corpus (real index, lexical path): focal names, Chinese, lists, composition rules.</summary>
public sealed class AnswerTrustTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "policybot-tests", Guid.NewGuid().ToString("N"));
    private PolicyBotEngine _engine = null!;

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

    public async Task InitializeAsync()
    {
        var options = new PolicyBotOptions { IndexPath = Path.Combine(_root, "index.db") };
        options.CorpusDirectories.Add(RepositoryFile("corpus"));
        _engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private Answer Ask(string text, string? previous = null) => _engine.Answer(new Question(text, new QuestionContext("cli", PreviousQuestion: previous)));

    /// <summary>Every quoted line (notices aside, bullets unwrapped) stands verbatim in the passage its marker cites.</summary>
    internal static void AssertQuotesVerbatim(Answer answer)
    {
        Assert.True(answer.Answered, answer.Text);
        foreach (var line in answer.Text.Split('\n'))
        {
            if (line is AnswerComposer.PartlyCoveredNotice or AnswerComposer.EnglishSourcesNotice or AnswerComposer.EnglishSourcesNoticeTraditional)
            {
                continue;
            }

            var parts = Regex.Matches(line.StartsWith("• ", StringComparison.Ordinal) ? line[2..] : line, @"(.+?) \[(\d+)\](?: |$)");
            Assert.NotEmpty(parts);
            foreach (Match m in parts)
            {
                var rank = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.Contains(m.Groups[1].Value, AnswerComposer.Display(answer.Citations[rank - 1].Passage), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("What is the UK's approach to AI regulation?", "UK")]
    [InlineData("What does Canada's AIDA require of AI developers?", "AIDA")]
    [InlineData("When does Colorado's AI Act take effect?", "Colorado")]
    [InlineData("What did the Bletchley Declaration commit countries to?", "Bletchley Declaration")]
    [InlineData("How is Dubai positioning itself as an AI hub?", "Dubai")]
    public void Answer_UncoveredFocalEntity_AbstainsNamingItAndWhatIsCovered(string question, string entity)
    {
        var answer = Ask(question);
        Assert.Equal(AnswerOutcome.Abstained, answer.Outcome);
        Assert.Contains($"'{entity}'", answer.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(answer.SuggestedTopics);
        Assert.Contains("Closest topics it does cover", answer.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("How do I bake sourdough bread?")]
    [InlineData("Who won the 2022 World Cup?")]
    [InlineData("asdfghjkl")]
    public void Answer_OffTopic_StillAbstains(string question) => Assert.Equal(AnswerOutcome.Abstained, Ask(question).Outcome);

    [Fact]
    public void Answer_ChineseCoHostingQuestion_AnsweredFromTheCoHostingPassageWithEnglishSourcesLine()
    {
        var answer = Ask("为什么香港应该共同主办世界人工智能合作组织？");
        AssertQuotesVerbatim(answer);
        Assert.StartsWith(AnswerComposer.EnglishSourcesNotice + "\n", answer.Text, StringComparison.Ordinal);
        Assert.EndsWith("waico-co-hosting.md", answer.Citations[0].DocumentPath, StringComparison.Ordinal);
        Assert.Contains("one country, two systems", string.Join(" ", answer.Citations.Select(c => c.Passage)), StringComparison.Ordinal);

        var traditional = Ask("為什麼香港應該共同主辦世界人工智能合作組織？");
        Assert.StartsWith(AnswerComposer.EnglishSourcesNoticeTraditional + "\n", traditional.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_ChineseQuestionOnUncoveredEntity_AbstainsInChinese()
    {
        var answer = Ask("英国的人工智能监管方针是什么？");
        Assert.Equal(AnswerOutcome.Abstained, answer.Outcome);
        Assert.StartsWith("无法根据资料库回答这个问题", answer.Text, StringComparison.Ordinal);
        Assert.Contains("「英国」", answer.Text, StringComparison.Ordinal);
        var traditional = Ask("英國的人工智能監管方針是什麼？");
        Assert.Equal(AnswerOutcome.Abstained, traditional.Outcome);
        Assert.StartsWith("無法根據資料庫回答這個問題", traditional.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_ChecklistQuestion_ListsTheItems()
    {
        var answer = Ask("Give me a checklist for executives");
        AssertQuotesVerbatim(answer);
        var items = answer.Text.Split('\n').Where(l => l.StartsWith("• ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, items.Count);
        Assert.Contains(items, i => i.Contains("procurement playbook", StringComparison.Ordinal));
        Assert.Contains(items, i => i.Contains("AI governance office", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("When do the EU AI Act's obligations apply?")]
    [InlineData("Where do the checklist's recommendations come from?")]
    [InlineData("What should buyers ask AI vendors?")]
    public void Answer_PrefersSentencesAboutTheSubjectOverSentencesAboutTheNote(string question)
    {
        var answer = Ask(question);
        AssertQuotesVerbatim(answer);
        Assert.DoesNotContain("This note", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("The note on", answer.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("When did the EU AI Act enter into force?", "1 August 2024")]
    [InlineData("How many AI professionals does Shanghai have?", "100,000")]
    [InlineData("Who first proposed WAICO?", "Li Qiang")]
    public void Answer_KindOfQuestion_PicksTheSentenceWithTheDateNumberOrName(string question, string expected)
    {
        var answer = Ask(question);
        AssertQuotesVerbatim(answer);
        Assert.Contains(expected, answer.Text, StringComparison.Ordinal);
        Assert.True(answer.Text.Split(" [").Length - 1 <= 3, answer.Text);
    }

    [Fact]
    public void Answer_FollowUpWithNothingOfItsOwn_UsesThePreviousQuestion()
    {
        var answer = Ask("And when?", previous: "Who first proposed WAICO?");
        AssertQuotesVerbatim(answer);
        Assert.Contains("July", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_Confidence_IsSetAndLowSaysSoInWords()
    {
        var high = Ask("What are the four functions of the NIST AI RMF?");
        Assert.NotNull(high.Confidence);
        Assert.NotEqual(AnswerConfidence.Low, high.Confidence);
        Assert.DoesNotContain(AnswerComposer.PartlyCoveredNotice, high.Text, StringComparison.Ordinal);
        foreach (var q in new[] { "What are the penalites under the EU AI Act?", "How big is Shangai's AI fund?", "what budget does singapore give ai verify" })
        {
            var a = Ask(q);
            if (a.Confidence == AnswerConfidence.Low)
            {
                Assert.StartsWith(AnswerComposer.PartlyCoveredNotice + "\n", a.Text, StringComparison.Ordinal);
            }
        }

        Assert.Null(Ask("asdfghjkl").Confidence);
    }

    [Fact]
    public void Answer_HostileInputOnTheChinesePath_NeverThrows()
    {
        var rng = new Random(4242);
        var cjk = new StringBuilder();
        while (cjk.Length < 1990)
        {
            cjk.Append((char)rng.Next(0x4E00, 0x9FFF));
        }

        var questions = new[]
        {
            cjk.ToString(),
            string.Concat(Enumerable.Repeat("香港", 60_000)),
            "香港🇭🇰共同主办🤖WAICO？💥",
            "香港\u0000\u0007\u001B[31m主办\u200B\uFEFF\u202E世界人工智能合作组织",
            "\uD800\uDC00\uD83D 香港 \uDFFF",
            "Ω≈ç√ 香港 مرحبا שלום привет 主办 WAICO",
            "为什么为什么为什么为什么为什么",
            "的的的的的吗吗呢",
        };
        foreach (var q in questions)
        {
            var a = Ask(q);
            Assert.True(a.Outcome is AnswerOutcome.Answered or AnswerOutcome.Abstained or AnswerOutcome.Refused, q);
            Assert.False(string.IsNullOrWhiteSpace(a.Text));
            if (a.Answered)
            {
                AssertQuotesVerbatim(a);
            }
        }

        Assert.Equal(AnswerOutcome.Refused, Ask(questions[1]).Outcome);
    }
}

/// <summary>Composition rules on small purpose-written corpora.</summary>
public sealed class CompositionRuleTests : IDisposable
{
    private readonly TestCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    private async Task<Answer> AskAsync(string question)
    {
        await using var engine = await _corpus.OpenAsync();
        return engine.Answer(new Question(question, QuestionContext.Cli));
    }

    private void Note(string file, string body) => _corpus.Write(file, $"---\ntitle: {file}\nsource: s\nkind: note\n---\n{body}\n");

    [Fact]
    public async Task Compose_SentencePointingBack_BringsItsAntecedent()
    {
        Note("harbour.md", "# The Harbour Data Initiative\n\n## Origins\nThe Harbour Data Initiative is a plan for sharing maritime sensor data between ports. The initiative was first proposed by Mayor Ana Ruiz in March 2024. Shipping lines welcomed the plan at a trade fair.");
        Note("other.md", "# Ports\n\nPorts handle containers, bulk cargo and passengers every day of the year.");
        var answer = await AskAsync("Who first proposed the Harbour Data Initiative?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        var antecedent = answer.Text.IndexOf("The Harbour Data Initiative is a plan", StringComparison.Ordinal);
        var pointer = answer.Text.IndexOf("The initiative was first proposed by Mayor Ana Ruiz", StringComparison.Ordinal);
        Assert.True(antecedent >= 0 && pointer > antecedent, answer.Text);
    }

    [Fact]
    public async Task Compose_NextPassagePointingBack_ItsOpeningSentenceAnswersWithTheBestPassage()
    {
        // Two paragraphs, each its own passage (neither is short enough to merge): the second names no initiative.
        var first = "The Harbour Data Initiative is emerging as a possible framework for sharing maritime sensor data between the container ports of the northern coast, potentially challenging the older bilateral agreements that each port signed with its own shipping lines. "
            + "We believe the choice of an open registry, with its evolving role in port logistics, could reflect a careful strategy by the port authorities to navigate rising competition between the coastal cities.";
        var second = "The initiative was first proposed by Mayor Ana Ruiz in March 2024. Hosting such a registry carries symbolic and practical weight for the city that runs it, and it offers a concrete avenue for shaping data standards.";
        _corpus.Write("harbour.md", $"---\ntitle: Why the ports should share data\nsource: s\nkind: article\n---\n{first}\n\n{second}\n");
        Note("other.md", "# Ports\n\nPorts handle containers, bulk cargo and passengers every day of the year.");
        var answer = await AskAsync("Who first proposed the Harbour Data Initiative?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        Assert.True(answer.Answered, answer.Text);
        var naming = answer.Text.IndexOf("The Harbour Data Initiative is emerging", StringComparison.Ordinal);
        var proposer = answer.Text.IndexOf("The initiative was first proposed by Mayor Ana Ruiz", StringComparison.Ordinal);
        Assert.True(naming >= 0 && proposer > naming, answer.Text);
        Assert.DoesNotContain("We believe the choice", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_DefinitionQuestion_QuotesTheSentenceThatDefinesTheSubject()
    {
        Note("registry.md", "# The Tidal Registry\n\n## Tidal Registry offices and Tidal Registry staff\nThe Tidal Registry office is staffed by Tidal Registry clerks who answer questions about the Tidal Registry by phone.\n\n"
            + "## What the Tidal Registry is\nThe Tidal Registry is a public list of offshore wind permits kept by the coastal agency.");
        var answer = await AskAsync("What is the Tidal Registry?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        Assert.StartsWith("The Tidal Registry is a public list", answer.Text, StringComparison.Ordinal);
        Assert.Contains("public list of offshore wind permits", answer.Citations[0].Passage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_WhoQuestion_CitesThePassageNamingTheAgentFirst()
    {
        Note("verify.md", "# Reef Check\n\n## The Reef Check Foundation\nThe Reef Check Foundation was launched in June 2023 at the Ocean Tech conference, and the Reef Check Foundation developed training for reef check volunteers.\n\n"
            + "## Origins of Reef Check\nReef Check was developed in 2021 by the Marine Survey Authority (MSA) for coral surveys.");
        var answer = await AskAsync("Who developed Reef Check?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        Assert.Contains("by the Marine Survey Authority", answer.Citations[0].Passage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_Comparison_WordsThatOnlyAskForAComparisonDoNotPickTheSentence()
    {
        Note("rules.md", "# Tidal and wind rules\n\n## Dates\nSources differ on the dates of the tidal rules and of the wind rules.\n\n"
            + "## Scope\nThe tidal rules cover harbour sensors, while the wind rules cover offshore turbines and their cables.");
        var answer = await AskAsync("How do the tidal rules for harbours differ from the wind rules?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        Assert.StartsWith("The tidal rules cover harbour sensors", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_NearDuplicateSentences_QuotedOnce()
    {
        Note("boards.md", "# Quantum boards\n\nQuantum governance boards must publish annual audit reports on every model. Quantum governance boards must publish their annual audit reports on every model. Quantum governance boards meet each quarter to review audit findings.");
        var answer = await AskAsync("What must quantum governance boards publish about audits?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        Assert.Single(Regex.Matches(answer.Text, "must publish"));
    }

    [Fact]
    public async Task Compose_SentenceAboutTheNote_OnlyWhenNothingElseAnswers()
    {
        Note("tariffs.md", "# Lunar tariffs\n\n## Scope\nThis note covers the lunar tariff schedule for mining robots. Lunar tariffs on mining robots rise to 12 per cent in 2031.");
        var answer = await AskAsync("What are the lunar tariffs on mining robots?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        Assert.DoesNotContain("This note covers", answer.Text, StringComparison.Ordinal);
        Assert.Contains("12 per cent", answer.Text, StringComparison.Ordinal);

        Note("only.md", "# Orbital permits\n\nThis note covers orbital permits for satellite swarms only.");
        var onlyNote = await AskAsync("What about orbital permits for satellite swarms?");
        Assert.True(onlyNote.Answered, onlyNote.Text);
        Assert.Contains("This note covers orbital permits", onlyNote.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_AdjacentSentencesOfOnePassage_ReadInOrder()
    {
        Note("reef.md", "# Reef robots\n\n## Why reef robots matter\nReef robots matter because coral surveys by divers are slow and costly. Reef robots can survey a reef in a day, so damage is found before it spreads. Divers still check the robots' findings.");
        var answer = await AskAsync("Why do reef robots matter?");
        AnswerTrustTests.AssertQuotesVerbatim(answer);
        var a = answer.Text.IndexOf("coral surveys by divers", StringComparison.Ordinal);
        var b = answer.Text.IndexOf("survey a reef in a day", StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, answer.Text);
        Assert.Single(answer.Citations);
    }
}
