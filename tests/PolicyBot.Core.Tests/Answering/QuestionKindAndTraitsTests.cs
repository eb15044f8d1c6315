using PolicyBot.Core.Answering;

namespace PolicyBot.Core.Tests.Answering;

public sealed class QuestionKindAndTraitsTests
{
    [Theory]
    [InlineData("Who first proposed WAICO?", QuestionKind.Who)]
    [InlineData("Which company owns the SCMP?", QuestionKind.Who)]
    [InlineData("When did the EU AI Act enter into force?", QuestionKind.When)]
    [InlineData("What is the deadline for high-risk systems?", QuestionKind.When)]
    [InlineData("How many AI professionals does Shanghai have?", QuestionKind.Quantity)]
    [InlineData("How much money is Shanghai putting into AI?", QuestionKind.Quantity)]
    [InlineData("Why should Hong Kong co-host?", QuestionKind.Why)]
    [InlineData("What should my company do first to comply?", QuestionKind.Recommendation)]
    [InlineData("How should buyers choose vendors?", QuestionKind.Recommendation)]
    [InlineData("Give me a checklist for executives", QuestionKind.List)]
    [InlineData("What are the four functions of the AI RMF?", QuestionKind.List)]
    [InlineData("How does the US approach differ from the EU's?", QuestionKind.Comparison)]
    [InlineData("What is AI Verify?", QuestionKind.General)]
    public void Detect_QuestionKind(string question, QuestionKind kind) => Assert.Equal(kind, QuestionKinds.Detect(question));

    [Fact]
    public void Fit_MatchesTheKindOfSentence()
    {
        Assert.Equal(1, SentenceTraits.Fit(QuestionKind.When, "The Act entered into force on 1 August 2024."));
        Assert.Equal(0, SentenceTraits.Fit(QuestionKind.When, "The Act regulates AI by risk."));
        Assert.Equal(1, SentenceTraits.Fit(QuestionKind.Quantity, "The fund holds 1 billion yuan."));
        Assert.Equal(1, SentenceTraits.Fit(QuestionKind.Who, "Chinese Premier Li Qiang first proposed the body."));
        Assert.Equal(1, SentenceTraits.Fit(QuestionKind.Recommendation, "Executives should build an inventory first."));
    }

    [Theory]
    [InlineData("AI Verify was launched in 2022 by the Infocomm Media Development Authority (IMDA).", true)]
    [InlineData("Chinese Premier Li Qiang first proposed the body in July.", true)]
    [InlineData("The initiative was first proposed by Chinese Premier Li Qiang in July.", true)]
    [InlineData("The AI Verify Foundation was launched in June 2023, at the Asia Tech x Singapore conference.", false)]
    [InlineData("Hong Kong is emerging as a contender to host China's proposed organisation.", false)]
    public void NamesTheAgent_OnlyWhenTheSentenceSaysWhoDidIt(string sentence, bool expected) => Assert.Equal(expected, SentenceTraits.NamesTheAgent(sentence));

    [Fact]
    public void Fit_Who_AgentOverNameInPassing()
    {
        Assert.True(SentenceTraits.Fit(QuestionKind.Who, "AI Verify was launched in 2022 by the Infocomm Media Development Authority.")
            > SentenceTraits.Fit(QuestionKind.Who, "The AI Verify Foundation was launched in June 2023 at the Asia Tech x Singapore conference."));
    }

    [Theory]
    [InlineData("What is the EU AI Act?", "the EU AI Act")]
    [InlineData("what are GPAI models", "GPAI models")]
    [InlineData("What's WAICO?", "WAICO")]
    [InlineData("What is compliance mapping for AI?", "compliance mapping for AI")]
    [InlineData("What does the EU AI Act require of providers?", null)]
    [InlineData("When is the deadline?", null)]
    [InlineData("", null)]
    public void DefinitionSubject(string question, string? subject) => Assert.Equal(subject, QuestionKinds.DefinitionSubject(question));

    [Theory]
    [InlineData("The EU Artificial Intelligence Act (EU AI Act) is Regulation (EU) 2024/1689, the first law.", "The EU Artificial Intelligence Act (EU AI Act)")]
    [InlineData("Compliance mapping is the practice of linking each use case to its tier.", "Compliance mapping")]
    [InlineData("AI Verify is backed by global technology companies.", null)]
    [InlineData("Critics warn that the body could become an instrument of one state.", null)]
    public void DefinedSubject(string sentence, string? subject) => Assert.Equal(subject, SentenceTraits.DefinedSubject(sentence));

    [Theory]
    [InlineData("This note covers the staged application dates of the Act.", true)]
    [InlineData("The note on AI procurement gives general questions for vendors.", true)]
    [InlineData("See the notes on Singapore's framework for the details.", true)]
    [InlineData("PolicyBot has not confirmed whether the proposal was adopted.", true)]
    [InlineData("The checklist turns the index's findings into actions for senior leaders.", true)]
    [InlineData("The EU AI Act entered into force on 1 August 2024.", false)]
    public void IsAboutTheNote(string sentence, bool expected) => Assert.Equal(expected, SentenceTraits.IsAboutTheNote(sentence));

    [Theory]
    [InlineData("This gives Shanghai political capital.", true)]
    [InlineData("It was first proposed in July.", true)]
    [InlineData("The initiative was first proposed by Premier Li Qiang.", true)]
    [InlineData("They argue for co-hosting.", true)]
    [InlineData("Thistle farming is not covered.", false)]
    [InlineData("Shanghai is the front runner.", false)]
    public void NeedsAntecedent(string sentence, bool expected) => Assert.Equal(expected, SentenceTraits.NeedsAntecedent(sentence));

    [Fact]
    public void Enumeration_SplitsItemsAfterTheColon()
    {
        const string s = "The checklist has five items: test the roadmap, set up a Hong Kong presence, adopt a playbook, create an office, and pick two use cases.";
        var items = SentenceTraits.Enumeration(s)!.Select(i => s.Substring(i.Start, i.Length)).ToList();
        Assert.Equal(["test the roadmap", "set up a Hong Kong presence", "adopt a playbook", "create an office", "pick two use cases"], items);
        const string semi = "The seven are: valid and reliable; safe; secure and resilient; fair.";
        Assert.Equal(["valid and reliable", "safe", "secure and resilient", "fair"], SentenceTraits.Enumeration(semi)!.Select(i => semi.Substring(i.Start, i.Length)));
        const string noSerial = "Its core has four functions: Govern, Map, Measure and Manage.";
        Assert.Equal(["Govern", "Map", "Measure", "Manage"], SentenceTraits.Enumeration(noSerial)!.Select(i => noSerial.Substring(i.Start, i.Length)));
        Assert.Null(SentenceTraits.Enumeration("No list here, just a sentence."));
    }

    [Fact]
    public void Overlap_NearDuplicatesScoreHigh()
    {
        Assert.True(SentenceTraits.Overlap(["board", "publish", "audit", "report"], ["board", "publish", "their", "audit", "report"]) >= 0.7);
        Assert.True(SentenceTraits.Overlap(["board", "meet", "quarter"], ["fund", "yuan"]) < 0.7);
        Assert.Equal(0, SentenceTraits.Overlap([], ["x"]));
    }

    [Theory]
    [InlineData("What is the UK's approach to AI regulation?", "UK")]
    [InlineData("What does Canada's AIDA require?", "Canada|AIDA")]
    [InlineData("What did the Bletchley Declaration commit countries to?", "Bletchley Declaration")]
    [InlineData("What does the Council of Europe AI convention require?", "Council of Europe AI")]
    [InlineData("What does New York City's Local Law 144 require?", "New York City|Local Law 144")]
    [InlineData("Dubai's AI strategy?", "Dubai")]
    [InlineData("Wich practices does the EU AI Act prohibit?", "EU AI Act")]
    [InlineData("what is the eu ai act", "")]
    public void FocalEntities_FindNamesByForm(string question, string expected)
    {
        Assert.Equal(expected, string.Join("|", FocalEntities.Find(question).Select(m => m.Text)));
    }
}
