using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;
using PolicyBot.Discord.Tests.Fakes;

namespace PolicyBot.Discord.Tests;

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
    public void Format_TenLongCitations_WithinEmbedLimits()
    {
        var citations = Enumerable.Range(1, 12).Select(i => new Citation(i, new string('T', 400), new string('S', 400), "src " + new string('x', 3000), "line\n" + new string('p', 6000), 1, $"p#{i}", "p.md") { Published = "2024-01-01" }).ToList();
        var answer = new Answer { Id = "x", Question = "q", Outcome = AnswerOutcome.Answered, Text = "t [1]", Citations = citations };
        var message = Assert.Single(AnswerFormatter.Format(answer));
        Assert.Equal(10, message.Embeds!.Count);
        Assert.True(AnswerFormatter.CountEmbedCharacters(message.Embeds) <= 6000);
        Assert.All(message.Embeds, e =>
        {
            Assert.True(e.Title!.Length <= 256);
            Assert.True(e.Description!.Length <= 4096);
            Assert.True(e.Footer!.Text.Length <= 2048);
        });
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
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(AnswerFormatter.Format(answer)[0], Protocol.DiscordJson.Options))!.AsObject();
        Assert.Null(FakeDiscord.ValidateMessage(body, requireContent: true));
        Assert.Equal("[]", body["allowed_mentions"]!["parse"]!.ToJsonString());
    }
}
