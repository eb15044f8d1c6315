using System.Text.Json.Nodes;

namespace PolicyBot.Discord.Tests.Commands;

/// <summary>/compare, automatic comparison for questions naming two jurisdictions, and /brief, through the fake Discord on the real engine.</summary>
public sealed class CompareAndBriefTests
{
    private static async Task<BotHarness> StartedAsync()
    {
        var h = await BotHarness.CreateAsync();
        await h.StartAsync();
        return h;
    }

    private static JsonObject Command(string name, params (string Name, object Value)[] options)
    {
        var list = new JsonArray();
        foreach (var (n, v) in options)
        {
            list.Add(new JsonObject { ["name"] = n, ["type"] = v is bool ? 5 : 3, ["value"] = JsonValue.Create(v) });
        }

        return new JsonObject { ["id"] = "800000000000000009", ["name"] = name, ["type"] = 1, ["options"] = list };
    }

    [Fact]
    public async Task Compare_EuUsAndUncoveredCanada_OneFieldEachSideBySideWithinLimits()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Command("compare", ("topic", "What must developers or providers of models do?"), ("jurisdictions", "EU, US, Canada"))));
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        var embeds = patch.Json!["embeds"]!.AsArray();
        var fields = embeds[0]!["fields"]!.AsArray();
        Assert.Equal(["EU", "US", "Canada"], fields.Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal("Compared: what must developers or providers of models do in the EU, the US and Canada", embeds[0]!["title"]!.GetValue<string>());
        Assert.All(fields, f => Assert.True(f!["inline"]!.GetValue<bool>()));
        Assert.Matches(@"\[\[1\]\]\(<https://eur-lex\.europa\.eu/eli/reg/2024/1689/oj>\)$", fields[0]!["value"]!.GetValue<string>());
        Assert.EndsWith("[2]", fields[1]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Not covered", fields[2]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Sources", embeds[1]!["title"]!.GetValue<string>());
        Assert.Equal(2, embeds[1]!["description"]!.GetValue<string>().Split('\n').Length);
        Assert.Empty(patch.Json["allowed_mentions"]!["parse"]!.AsArray());
    }

    [Fact]
    public async Task Ask_QuestionNamingTwoJurisdictions_AnsweredAsComparison()
    {
        await using var h = await StartedAsync();
        var options = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = "What must providers do in the EU and the US?" });
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, new JsonObject { ["id"] = "800000000000000001", ["name"] = "ask", ["type"] = 1, ["options"] = options }));
        await BotHarness.WaitUntilAsync(() => h.Fake.Requests.Any(r => r.Method == "PATCH") || h.Logs.Entries.Any(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.True(!h.Logs.Entries.Any(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning), h.Logs.AllText + "\n" + string.Join("\n", h.Fake.Requests.Select(r => $"{r.Method} {r.Path} {r.Json?.ToJsonString()}")));
        var patch = h.Fake.Requests.Single(r => r.Method == "PATCH");
        var fields = patch.Json!["embeds"]![0]!["fields"]!.AsArray();
        Assert.Equal(["EU", "US"], fields.Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal("Compared: what must providers do in the EU and the US", patch.Json!["embeds"]![0]!["title"]!.GetValue<string>());
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
    }

    [Fact]
    public async Task Mention_QuestionNamingTwoJurisdictions_OneComparisonReply()
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> What must providers do in the EU versus Canada?", mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty || !h.Fake.Violations.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(1));
        var message = Assert.Single(h.Fake.Messages);
        var fields = message.Body["embeds"]![0]!["fields"]!.AsArray();
        Assert.Equal(["EU", "Canada"], fields.Select(f => f!["name"]!.GetValue<string>()));
        Assert.Contains("Not covered", fields[1]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
    }

    [Fact]
    public async Task Brief_HighRiskRules_SectionsOfCitedBulletsOneScreen()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Command("brief", ("topic", "high-risk AI systems"))));
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        var brief = patch.Json!["embeds"]![0]!;
        var description = brief["description"]!.GetValue<string>();
        Assert.StartsWith("**What it is**\n• ", description, StringComparison.Ordinal);
        var bullets = description.Split('\n').Where(l => l.StartsWith("• ", StringComparison.Ordinal)).ToList();
        Assert.InRange(bullets.Count, 1, 6);
        Assert.All(bullets, b => Assert.Matches(@"\[(\[\d\]\]\(<[^>]+>\)|\d\])$", b));
        Assert.True(description.Split('\n').Length <= 15, "one screen: at most 15 lines");
        Assert.StartsWith("Sources as of ", brief["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brief_Uncovered_SaysSoWithoutEmbeds()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Command("brief", ("topic", "sourdough hydration"))));
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        Assert.Contains("can't brief on that", patch.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(patch.Json["embeds"]);
    }
}
