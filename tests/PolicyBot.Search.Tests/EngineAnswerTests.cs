using System.Text.RegularExpressions;
using PolicyBot.Search.Analysis;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Search;
using PolicyBot.Core.Searching;
using PolicyBot.Core.Text;

namespace PolicyBot.Search.Tests;

public sealed class EngineAnswerTests : IAsyncLifetime
{
    private readonly TestCorpus _corpus = new TestCorpus(CorpusSet.PolicyNotes);
    private PolicyBotEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await _corpus.OpenAsync();

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _corpus.Dispose();
    }

    private Answer Ask(string text, int top = 3, string? previous = null) =>
        _engine.Answer(new Question(text, new QuestionContext("cli", PreviousQuestion: previous)) { MaxCitations = top });

    /// <summary>
    /// Every sentence of the answer is a verbatim extract of the passage its marker cites; the only other text is a
    /// notice line (low confidence, English sources) and the "• " of a listed item, each on its own line.
    /// </summary>
    private static void AssertExtractive(Answer answer)
    {
        Assert.True(answer.Answered, answer.Text);
        Assert.NotEmpty(answer.Citations);
        Assert.Equal(Enumerable.Range(1, answer.Citations.Count), answer.Citations.Select(c => c.Rank));
        foreach (var raw in answer.Text.Split('\n'))
        {
            if (raw is AnswerComposer.PartlyCoveredNotice or AnswerComposer.EnglishSourcesNotice or AnswerComposer.EnglishSourcesNoticeTraditional)
            {
                continue;
            }

            var line = raw.StartsWith("• ", StringComparison.Ordinal) ? raw[2..] : raw;
            var parts = Regex.Matches(line, @"(.+?) \[(\d+)\](?: |$)");
            Assert.NotEmpty(parts);
            Assert.Equal(line.Length, parts.Sum(m => m.Length));
            foreach (Match m in parts)
            {
                var rank = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                var passage = answer.Citations[rank - 1].Passage;
                Assert.Contains(m.Groups[1].Value, AnswerComposer.Display(passage), StringComparison.Ordinal);
            }
        }

        Assert.All(answer.Citations, c => Assert.Contains($"[{c.Rank}]", answer.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Answer_CoveredQuestion_QuotesCitedPassageVerbatim()
    {
        var answer = Ask("Why should Hong Kong co-host the AI organisation?");
        AssertExtractive(answer);
        Assert.Equal("hosting.md", answer.Citations[0].DocumentPath);
        Assert.Contains("judiciary", answer.Text, StringComparison.Ordinal);
        Assert.Equal("Hosting the World AI Cooperation Organisation › Hong Kong", answer.Citations[0].Section);
        Assert.Equal("https://example.org/hosting", answer.Citations[0].Source);
        Assert.Equal(new Uri("https://example.org/hosting"), answer.Citations[0].SourceUrl);
        Assert.Equal("2025-08-01", answer.Citations[0].Published);
    }

    [Fact]
    public void Answer_CitationPassage_EqualsDocumentTextAtItsOffsets()
    {
        var answer = Ask("What are the functions of the NIST framework?");
        AssertExtractive(answer);
        var c = answer.Citations[0];
        var text = File.ReadAllText(Path.Combine(_corpus.CorpusDir, c.DocumentPath));
        Assert.Contains(c.Passage, text, StringComparison.Ordinal);

        // A "what are the functions" question lists the functions as items.
        Assert.Contains("• Govern [1]", answer.Text, StringComparison.Ordinal);
        Assert.Contains("• Manage [1]", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_TopN_LimitsCitations()
    {
        var answer = Ask("Which cities could host the organisation: Hong Kong, Shanghai or Singapore?", top: 1);
        AssertExtractive(answer);
        Assert.Single(answer.Citations);
    }

    [Theory]
    [InlineData("What is the capital of Peru?")]
    [InlineData("Who won the football world cup in 2022?")]
    [InlineData("How do I bake sourdough bread?")]
    public void Answer_UncoveredQuestion_AbstainsNamingClosestTopics(string question)
    {
        var answer = Ask(question);
        Assert.Equal(AnswerOutcome.Abstained, answer.Outcome);
        Assert.Empty(answer.Citations);
        Assert.False(string.IsNullOrWhiteSpace(answer.Reason));
        Assert.NotEmpty(answer.SuggestedTopics);
        Assert.Contains("corpus", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_AbstainThreshold_IsASetting()
    {
        var strict = new AnswerComposer(new AnswerOptions { AbstainBelow = 1.01 });
        var searcher = _engine.Searcher;
        var result = searcher.Search("Why should Hong Kong co-host the organisation?", new SearchOptions { Top = 10 });
        var answer = strict.Compose(new Question(result.Query.Text, QuestionContext.Cli), result, searcher, "v");
        Assert.Equal(AnswerOutcome.Abstained, answer.Outcome);
    }

    [Theory]
    [InlineData("What makes HK attractive as a host?", "hosting.md", "Hong Kong")]
    [InlineData("What are the functions of the NIST AI RMF?", "rmf.md", "Govern")]
    [InlineData("Which candidate cities exist for WAICO?", "hosting.md", "")]
    [InlineData("What is the EU model?", "models.md", "European Union")]
    public void Answer_SynonymsAndAcronyms_MatchTheFullName(string question, string document, string phrase)
    {
        var answer = Ask(question);
        AssertExtractive(answer);
        Assert.Equal(document, answer.Citations[0].DocumentPath);
        Assert.Contains(phrase, answer.Citations[0].Passage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("why shoud hong kong cohost the organisaton")]
    [InlineData("WHY SHOULD HONG KONG CO-HOST THE ORGANISATION")]
    public void Answer_TyposAndCase_StillFindTheHostingNote(string question)
    {
        var answer = Ask(question);
        AssertExtractive(answer);
        Assert.Equal("hosting.md", answer.Citations[0].DocumentPath);
    }

    [Fact]
    public void Answer_SameQuestionTwice_SameAnswer()
    {
        var a = Ask("What does Shanghai offer?");
        var b = Ask("What does Shanghai offer?");
        Assert.Equal(a.Text, b.Text);
        Assert.Equal(a.Citations.Select(c => (c.PassageId, c.Score)), b.Citations.Select(c => (c.PassageId, c.Score)));
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void Answer_FollowUp_UsesPreviousQuestionAsContext()
    {
        var answer = Ask("And what about Singapore?", previous: "Which city could host the World AI Cooperation Organisation?");
        AssertExtractive(answer);
        Assert.Contains("Singapore", answer.Citations[0].Passage, StringComparison.Ordinal);
    }

    public static TheoryData<string> BadQuestions => new()
    {
        "",
        "   \t\n ",
        new string('x', 100 * 1024),
        string.Concat(Enumerable.Repeat("policy hosting ", 7000)),
        "what is the the of and?",
        "\"",
        "*",
        "NEAR(hong kong, 2)",
        "hong AND kong OR NOT shanghai",
        "-x -y",
        "title: hong kong",
        "body:shanghai {title} ^host",
        "'; DROP TABLE passages; --",
        "1 OR 1=1; SELECT * FROM documents",
        "🙂🤖🇭🇰",
        "人工智能合作组织在哪里？",
        "香港为何应该共同主办？",
        "Wer soll die KI-Organisation beherbergen? Hongkong oder Schanghai?",
        "\u0000\u0001\u0002 hong\u0007kong \u001b[31m",
        "hong\u200bkong\u200d co\u2060host",
        "<@123456> @everyone @here **bold** `code` ||spoiler||",
        "\ud800 lone surrogate \udfff",
        "AND",
        "NOT",
        "\"unbalanced quote",
        "(((((",
    };

    [Theory]
    [MemberData(nameof(BadQuestions))]
    public void Answer_BadQuestion_NeverThrowsAndAlwaysSaysSomething(string question)
    {
        var answer = Ask(question);
        Assert.False(string.IsNullOrWhiteSpace(answer.Text));
        if (!answer.Answered)
        {
            Assert.False(string.IsNullOrWhiteSpace(answer.Reason));
            Assert.Empty(answer.Citations);
        }
        else
        {
            AssertExtractive(answer);
        }
    }

    [Fact]
    public void Answer_TooLong_IsRefusedWithLimit()
    {
        var answer = Ask(new string('a', 100 * 1024));
        Assert.Equal(AnswerOutcome.Refused, answer.Outcome);
        Assert.Contains("too long", answer.Text, StringComparison.Ordinal);
        Assert.True(answer.Question.Length <= 200);
    }

    [Fact]
    public void Answer_OnlyStopWords_AbstainsWithReason()
    {
        var answer = Ask("what is it and how does it?");
        Assert.Equal(AnswerOutcome.Abstained, answer.Outcome);
        Assert.Contains("common words", answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_Empty_AbstainsWithReason()
    {
        var answer = Ask("  ");
        Assert.Equal(AnswerOutcome.Abstained, answer.Outcome);
        Assert.Equal("the question is empty", answer.Reason);
    }

    [Fact]
    public void Answer_FtsSyntax_IsTreatedAsWords()
    {
        var answer = Ask("NEAR(\"Shanghai\" AI companies) OR * AND -companies");
        AssertExtractive(answer);
        Assert.Contains("Shanghai", answer.Citations[0].Passage, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_SuggestAndDocuments_ListCorpus()
    {
        Assert.Contains("Three models of AI governance", _engine.Suggest("three", 5));
        Assert.Contains("hosting", _engine.Suggest("host", 10));
        Assert.Empty(_engine.Suggest("zzzz", 5));
        var doc = _engine.Documents.Single(d => d.Path == "hosting.md");
        Assert.Equal(["CN", "HK", "SG"], doc.Jurisdictions);
        Assert.True(doc.Passages >= 3);
        Assert.False(string.IsNullOrEmpty(_engine.CorpusVersion));
    }

    [Fact]
    public void Display_StripsInlineMarkdownOnly()
    {
        Assert.Equal("See the AI Act now", AnswerComposer.Display("See the **[AI Act](https://x.eu)**\n now"));
        Assert.Equal("snake_case_name stays", AnswerComposer.Display("snake_case_name stays"));
    }

    [Fact]
    public void Tokens_OfQuestionWithZeroWidthJoiners_AreJoined()
    {
        var clean = QuestionText.Clean("hong\u200bkong");
        Assert.Equal(["hongkong"], TextAnalyzer.Default.Analyze(clean).Select(t => t.Term));
    }
}
