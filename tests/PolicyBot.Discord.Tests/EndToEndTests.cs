using System.Text.Json.Nodes;
using PolicyBot.Discord.Formatting;

namespace PolicyBot.Discord.Tests;

/// <summary>End to end: fake Discord → real bot → real engine over a temp corpus → replies on the fake's wire.</summary>
public sealed class EndToEndTests
{
    private static async Task<BotHarness> StartedAsync()
    {
        var engine = await TestCorpus.SharedAsync(CorpusSet.Chat);
        var h = await BotHarness.CreateAsync(answerer: engine, catalog: engine);
        await h.StartAsync();
        return h;
    }

    [Fact]
    public async Task E2E_SlashCommand_OneEditedReplyWithCitations()
    {
        await using var h = await StartedAsync();
        var interaction = h.Fake.NewInteraction(2, new JsonObject
        {
            ["name"] = "ask",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = CorpusQuestions.Chat.HighRisk }),
        });
        await h.DispatchInteractionAsync(interaction);
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        await h.PassAsync(TimeSpan.FromSeconds(2));

        Assert.Single(h.Fake.Requests, r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Single(h.Fake.Requests, r => r.Method == "PATCH");
        Assert.DoesNotContain(h.Fake.Requests, r => r.Method == "POST" && r.Path.StartsWith("/channels/", StringComparison.Ordinal) && r.Path.EndsWith("/messages", StringComparison.Ordinal));
        var body = patch.Json!.AsObject();
        var content = body["content"]!.GetValue<string>();
        Assert.Contains("risk management system", content, StringComparison.Ordinal);
        Assert.Contains("[[1]](<https://eur-lex.europa.eu/eli/reg/2024/1689/oj>)", content, StringComparison.Ordinal);
        var embed = Assert.Single(body["embeds"]!.AsArray())!;
        Assert.Equal("Sources", embed["title"]!.GetValue<string>());
        Assert.StartsWith("**[1]** [EU AI Act essentials", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("](<https://eur-lex.europa.eu/eli/reg/2024/1689/oj>)", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(body["allowed_mentions"]!["parse"]!.AsArray());
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
    }

    [Fact]
    public async Task E2E_Mention_OneReplyWithCitations()
    {
        await using var h = await StartedAsync();
        var question = FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> How high are fines for prohibited AI practices?", mentionsBot: true);
        await h.DispatchMessageAsync(question);
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(2));

        var reply = Assert.Single(h.Fake.Messages);
        Assert.Contains("35 million euros", reply.Body["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("[1]", reply.Body["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(question["id"]!.GetValue<string>(), reply.Body["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.Empty(reply.Body["allowed_mentions"]!["parse"]!.AsArray());
        Assert.NotEmpty(reply.Body["embeds"]!.AsArray());
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
    }

    public static TheoryData<string> HostileQuestions => new()
    {
        "@everyone @here what are the fines for prohibited AI practices?",
        new string('A', 10_000),
        "**bold** __under__ ~~strike~~ ||spoiler|| `code` ```fence``` [link](https://evil.example) > quote # heading high-risk AI systems",
        "high\u200B-risk\u200C AI\u200D systems\u2060 conformity\uFEFF assessment",
        "高风险人工智能系统的义务是什么？",
        "🤖🔥💥 what about general-purpose AI models? 🇪🇺",
        "<@&600000000000000006> <@600000000000000007> <#600000000000000008> penalties",
    };

    [Theory]
    [MemberData(nameof(HostileQuestions))]
    public async Task E2E_HostileQuestion_SafeReply(string hostile)
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), $"<@{FakeDiscord.BotUserId}> {hostile}", mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(1));

        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        Assert.All(h.Fake.Messages, m =>
        {
            Assert.Empty(m.Body["allowed_mentions"]!["parse"]!.AsArray());
            var content = m.Body["content"]?.GetValue<string>() ?? "";
            Assert.InRange(content.Length, 1, 2000);
            Assert.DoesNotContain("@everyone", content, StringComparison.Ordinal);
            Assert.DoesNotContain("@here", content, StringComparison.Ordinal);
            Assert.DoesNotContain("](https://evil.example)", content, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(h.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task E2E_LongAnswer_ArrivesSplitAndIntact()
    {
        await using var h = await StartedAsync();
        var expected = await TestCorpus.AnswerAsync(CorpusSet.Chat, CorpusQuestions.Chat.LongAnswer, "discord");
        Assert.True(expected.Text.Length >= 5000, $"the engine's answer is {expected.Text.Length} characters");

        var interaction = h.Fake.NewInteraction(2, new JsonObject
        {
            ["name"] = "ask",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = CorpusQuestions.Chat.LongAnswer }),
        });
        await h.DispatchInteractionAsync(interaction);
        await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Count(m => m.Via is "original" or "followup") >= 3 || !h.Fake.Violations.IsEmpty);
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        await h.PassAsync(TimeSpan.FromSeconds(1));

        var parts = h.Fake.Messages.Where(m => m.Via is "original" or "followup").ToList();
        Assert.Equal("original", parts[0].Via);
        Assert.All(parts, p => Assert.InRange(p.Body["content"]!.GetValue<string>().Length, 1, 2000));
        Assert.Equal(AnswerFormatter.LinkMarkers(expected.Text.Trim(), expected.Citations), string.Concat(parts.Select(p => p.Body["content"]!.GetValue<string>())));
        Assert.NotNull(parts[^1].Body["embeds"]);
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
    }

    [Fact]
    public async Task E2E_AutocompleteAndSources_FromRealCatalog()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(4, new JsonObject
        {
            ["name"] = "ask",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = "Singapore", ["focused"] = true }),
        }));
        var autocomplete = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        var choices = autocomplete.Json!["data"]!["choices"]!.AsArray();
        Assert.InRange(choices.Count, 1, 25);
        Assert.Contains(choices, c => c!["name"]!.GetValue<string>().Contains("Singapore", StringComparison.Ordinal));

        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, new JsonObject { ["name"] = "sources", ["type"] = 1 }));
        var sources = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        var description = sources.Json!["data"]!["embeds"]![0]!["description"]!.GetValue<string>();
        Assert.Contains("EU AI Act essentials", description, StringComparison.Ordinal);
        Assert.Contains("Singapore Model AI Governance Framework", description, StringComparison.Ordinal);
    }
}
