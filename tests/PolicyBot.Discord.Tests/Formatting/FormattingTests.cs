using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;

namespace PolicyBot.Discord.Tests.Formatting;

public sealed class FormattingTests
{
    [Theory]
    [InlineData("<@200000000000000002> what is GPAI?", "what is GPAI?")]
    [InlineData("<@!200000000000000002>   what\u200B is\u200D GPAI?", "what is GPAI?")]
    [InlineData("@everyone @here <@&1> <#2> fines", "fines")]
    [InlineData("line one\nline\ttwo", "line one line two")]
    [InlineData("\u202Eevil\u202C text", "evil text")]
    [InlineData("", "")]
    public void Normalize_StripsMentionsAndInvisibleCharacters(string content, string expected)
        => Assert.Equal(expected, DiscordText.Normalize(content));

    [Fact]
    public void Format_TwelveLongCitations_OneSourcesEmbedWithinLimits()
    {
        var citations = Enumerable.Range(1, 12).Select(i => new Citation(i, new string('T', 400), new string('S', 400), "src " + new string('x', 3000), "line\n" + new string('p', 6000), 1, $"p#{i}", "p.md") { Published = "2024-01-01" }).ToList();
        var answer = new Answer { Id = "x", Question = "q", Outcome = AnswerOutcome.Answered, Text = "t [1]", Citations = citations };
        var message = Assert.Single(AnswerFormatter.Format(answer));
        var embed = Assert.Single(message.Embeds!);
        Assert.Equal("Sources", embed.Title);
        Assert.True(AnswerFormatter.CountEmbedCharacters(message.Embeds!) <= 6000);
        Assert.True(embed.Description!.Length <= 4096);
        var lines = embed.Description.Split('\n');
        Assert.Equal(12, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 260, l));
        Assert.Contains("1 Jan 2024", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("src xxx", embed.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void PassagesMessage_TwelveLongPassages_OneEphemeralMessageWithinLimits()
    {
        var citations = Enumerable.Range(1, 12).Select(i => new Citation(i, new string('T', 400), new string('S', 400), "https://example.org/" + i, "line\n" + new string('p', 6000), 1, $"p#{i}", "p.md")).ToList();
        var message = AnswerFormatter.PassagesMessage(citations);
        Assert.Equal(64, message.Flags);
        Assert.Equal(10, message.Embeds!.Count);
        Assert.True(AnswerFormatter.CountEmbedCharacters(message.Embeds) <= 6000);
        Assert.All(message.Embeds, e =>
        {
            Assert.True(e.Title!.Length <= 256);
            Assert.True(e.Description!.Length <= 4096);
            Assert.StartsWith("> line", e.Description, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Format_StructuredSource_MaskedMarkersAndOneLinePerCitation()
    {
        var reference = new SourceReference
        {
            Outlet = "South China Morning Post",
            Authors = ["Alfons Futterer", "Zhonghua Sheng"],
            Published = new SourceDate(2025, 9, 1, DatePrecision.Month),
            Tier = SourceTier.Opinion,
            Url = new Uri("https://example.org/op-ed_(2025)"),
        };
        var citations = new[]
        {
            new Citation(1, "The case for co-hosting", "Hosting › Why Hong Kong", "SCMP (opinion, 2025; the seed copy carries no date or URL)", "Hong Kong has courts.", 1, "a#1", "a.md") { Reference = reference },
            new Citation(2, "No link [draft]", "", "a printed report (remarks)", "Text.", 1, "b#1", "b.md") { Published = "2024-07" },
        };
        var answer = new Answer { Id = "a1", Question = "q", Outcome = AnswerOutcome.Answered, Text = "Hong Kong has courts. [1] Text here. [2]", Citations = citations };
        var message = Assert.Single(AnswerFormatter.Format(answer));
        Assert.Equal("Hong Kong has courts. [[1]](<https://example.org/op-ed_%282025%29>) Text here. [2]", message.Content);
        var lines = Assert.Single(message.Embeds!).Description!.Split('\n');
        Assert.Equal("**[1]** [The case for co\\-hosting › Why Hong Kong](<https://example.org/op-ed_%282025%29>) — South China Morning Post · Futterer & Sheng · opinion · Sept 2025".Replace("\\-", "-", StringComparison.Ordinal), lines[0]);
        Assert.Equal("**[2]** No link (draft) — July 2024", lines[1]);
        Assert.DoesNotContain("seed copy", string.Join('\n', lines), StringComparison.Ordinal);
        var labels = message.Components![0].Components!.Select(b => b.Label ?? b.Emoji!.Name).ToList();
        Assert.Equal(["Show passages", "👍", "👎"], labels);
    }

    [Fact]
    public void Format_Refusal_NoButtonsNoEmbeds()
    {
        var answer = new Answer { Id = "r1", Question = "q", Outcome = AnswerOutcome.Refused, Text = "You are asking too fast; try again in a minute." };
        var message = Assert.Single(AnswerFormatter.Format(answer));
        Assert.Null(message.Components);
        Assert.Null(message.Embeds);
    }

    [Fact]
    public void Format_FullPassage_UpToDescriptionLimit()
    {
        var embed = AnswerFormatter.FullPassageEmbed(new Citation(1, "Doc", "Sec", "https://example.org", new string('p', 9000), 1, "p#1", "p.md"));
        Assert.True(embed.Description!.Length <= 4096);
        Assert.True(AnswerFormatter.CountEmbedCharacters([embed]) <= 6000);
        Assert.Equal("https://example.org/", embed.Url);
    }

    [Fact]
    public void Format_AbstainedAnswer_SuggestsTopicsWithoutCitationsOrSourcesButton()
    {
        var answer = new Answer { Id = "ab1", Question = "q", Outcome = AnswerOutcome.Abstained, Text = "I can't answer that from the corpus.", SuggestedTopics = ["EU AI Act", "NIST AI RMF"] };
        var message = Assert.Single(AnswerFormatter.Format(answer));
        Assert.Contains("Topics I can answer about: EU AI Act, NIST AI RMF.", message.Content, StringComparison.Ordinal);
        Assert.Null(message.Embeds);
        var ids = message.Components![0].Components!.Select(b => b.CustomId).ToList();
        Assert.Equal(["fb:up:ab1", "fb:down:ab1"], ids);
    }

    [Fact]
    public void Format_AnswerIdTooLongForCustomId_NoButtons()
    {
        var answer = new Answer { Id = new string('i', 95), Question = "q", Outcome = AnswerOutcome.Refused, Text = "Too long." };
        Assert.Null(Assert.Single(AnswerFormatter.Format(answer)).Components);
    }

    [Fact]
    public void Validate_FakeChecksMatchOwnLimits()
    {
        var answer = new Answer { Id = "v", Question = "q", Outcome = AnswerOutcome.Answered, Text = "x [1]", Citations = [new Citation(1, "T", "S", "https://example.org", "p", 1, "p#1", "p.md")] };
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(AnswerFormatter.Format(answer)[0], PolicyBot.Discord.Protocol.DiscordJson.Options))!.AsObject();
        Assert.Null(FakeDiscord.ValidateMessage(body, requireContent: true));
        Assert.Equal("[]", body["allowed_mentions"]!["parse"]!.ToJsonString());
    }
}
