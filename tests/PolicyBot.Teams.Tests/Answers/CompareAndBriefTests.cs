using System.Text.Json.Nodes;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.Answers;

/// <summary><c>compare …</c> (a ColumnSet card, checked by Microsoft's renderer) and <c>brief …</c> through the fake Connector.</summary>
public sealed class CompareAndBriefTests
{
    [Fact]
    public async Task Compare_EuAndUncoveredCanada_ColumnSetCardThatParsesClean()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.Personal("compare what providers of high-risk AI systems must establish in EU and Canada"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Body["attachments"] is not null));
        Assert.Empty(ctx.Fake.ShapeErrors);
        var card = delivered.Single(c => c.Body["attachments"] is not null).Body["attachments"]![0]!["content"]!.AsObject();
        var rows = card["body"]!.AsArray().Where(b => b!["type"]!.GetValue<string>() == "ColumnSet").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("Compared: what providers of high-risk AI systems must establish in EU and Canada", card["body"]![0]!["text"]!.GetValue<string>());
        string Cell(JsonNode row, int column) => row["columns"]![column]!["items"]![0]!["text"]!.GetValue<string>();
        Assert.Equal("EU", Cell(rows[0]!, 0));
        Assert.EndsWith("[1]", Cell(rows[0]!, 1), StringComparison.Ordinal);
        Assert.Equal("Canada", Cell(rows[1]!, 0));
        Assert.Contains("Not covered", Cell(rows[1]!, 1), StringComparison.Ordinal);
        Assert.Equal("Open [1]", card["actions"]![0]!["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(card["fallbackText"]!.GetValue<string>()));

        var check = Assert.Single(await MicrosoftAdaptiveCards.CheckAsync([card]));
        Assert.Empty(check.Events);
        Assert.Equal("1.0", check.Version);
    }

    [Fact]
    public async Task Brief_HighRisk_OneCitedMessageWithinOneScreen()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.Personal("brief high-risk AI systems"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Type == "message" && c.Text?.StartsWith("**Brief:", StringComparison.Ordinal) == true));
        Assert.Empty(ctx.Fake.ShapeErrors);
        var reply = delivered.Single(c => c.Type == "message" && c.Text!.StartsWith("**Brief:", StringComparison.Ordinal));
        var text = reply.Text!;
        Assert.Contains("**What it is**", text, StringComparison.Ordinal);
        var bullets = text.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.InRange(bullets.Count, 1, 6);
        Assert.All(bullets, b => Assert.Matches(@"\[\d\]$", b));
        Assert.True(text.Split('\n').Length <= 20, "one screen");
        var citations = reply.Body["entities"]![0]!["citation"]!.AsArray();
        Assert.NotEmpty(citations);
        Assert.Equal("default", reply.Body["channelData"]!["feedbackLoop"]!["type"]!.GetValue<string>());
    }
}
