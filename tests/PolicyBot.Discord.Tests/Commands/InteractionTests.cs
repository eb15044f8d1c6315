using System.Text.Json.Nodes;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Discord.Tests.Commands;

/// <summary>Interaction and component scenarios DI-01…DI-09 plus autocomplete, /sources, /about and /config.</summary>
public sealed class InteractionTests
{
    private static JsonObject Ask(string question, bool? isPrivate = null)
    {
        var options = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = question });
        if (isPrivate is { } p)
        {
            options.Add(new JsonObject { ["name"] = "private", ["type"] = 5, ["value"] = p });
        }

        return new JsonObject { ["id"] = "800000000000000001", ["name"] = "ask", ["type"] = 1, ["options"] = options };
    }

    private static async Task<BotHarness> StartedAsync()
    {
        var h = await BotHarness.CreateAsync();
        await h.StartAsync();
        return h;
    }

    private static string Id(JsonObject interaction) => interaction["id"]!.GetValue<string>();

    private static string Token(JsonObject interaction) => interaction["token"]!.GetValue<string>();

    [Fact]
    public async Task DI01_Ask_AcknowledgedWithinThreeSecondsThenAnswered()
    {
        await using var h = await StartedAsync();
        var interaction = h.Fake.NewInteraction(2, Ask(CorpusQuestions.Chat.HighRisk));
        await h.DispatchInteractionAsync(interaction);
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        var clock = h.Fake.Clock(Id(interaction))!;
        Assert.True(clock.CallbackAt - clock.IssuedAt < TimeSpan.FromSeconds(2.5));
        Assert.Equal(5, clock.CallbackType); // design: always defer, then edit @original
        Assert.False(clock.Ephemeral);
        Assert.Equal($"/webhooks/{FakeDiscord.ApplicationId}/{Token(interaction)}/messages/@original", patch.Path);
        var body = patch.Json!.AsObject();
        Assert.Contains("[1]", body["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(body["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Single(body["embeds"]!.AsArray());
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task DI02_SlowPrivateAnswer_EphemeralDeferThenEditOriginal()
    {
        await using var h = await StartedAsync();
        h.Delaying.Delay = TimeSpan.FromSeconds(5);
        var interaction = h.Fake.NewInteraction(2, Ask(CorpusQuestions.Chat.Fines, isPrivate: true));
        await h.DispatchInteractionAsync(interaction);
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        var clock = h.Fake.Clock(Id(interaction))!;
        var callback = h.Fake.Requests.Single(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(5, callback.Json!["type"]!.GetValue<int>());
        Assert.Equal(64, callback.Json["data"]!["flags"]!.GetValue<int>());
        Assert.True(clock.CallbackAt - clock.IssuedAt < TimeSpan.FromSeconds(2.5));
        Assert.True(patch.At - clock.IssuedAt >= TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(200));
        Assert.Single(h.Fake.Requests, r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Contains("35 million euros", patch.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DI03_LateAcknowledgement_LoggedNotRetried()
    {
        await using var h = await StartedAsync();
        var interaction = h.Fake.NewInteraction(2, Ask("too late"));
        h.Fake.AgeInteractions(TimeSpan.FromSeconds(4));
        await h.DispatchInteractionAsync(interaction);
        await BotHarness.WaitUntilAsync(() => h.Logs.Entries.Any(e => e.Text.Contains("10062", StringComparison.Ordinal)));
        await h.PassAsync(TimeSpan.FromSeconds(3));
        Assert.Single(h.Fake.Requests, r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Fake.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task DI04_NormalFlows_NeverAcknowledgeTwice()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Ask(CorpusQuestions.Chat.OutsideCorpus)));
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, new JsonObject { ["name"] = "about", ["type"] = 1 }));
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, new JsonObject { ["name"] = "sources", ["type"] = 1 }));
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(4, new JsonObject { ["name"] = "ask", ["type"] = 1, ["options"] = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = "EU", ["focused"] = true }) }));
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(3, new JsonObject { ["custom_id"] = "fb:down:ans1", ["component_type"] = 2 }));
        await BotHarness.WaitUntilAsync(() => h.Fake.Requests.Count(r => r.Path.EndsWith("/callback", StringComparison.Ordinal)) >= 5 && h.Fake.Requests.Any(r => r.Method == "PATCH"));
        await h.PassAsync(TimeSpan.FromSeconds(1));
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        Assert.Equal(AnswerOutcome.Abstained, Assert.Single(h.Recorder!.Answers).Outcome); // an abstention is edited in like any answer
        Assert.Contains("can't answer that from the corpus", h.Fake.Requests.Single(r => r.Method == "PATCH").Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DI05_EditAfterFifteenMinutes_DroppedWithoutRetry()
    {
        await using var h = await StartedAsync();
        h.Delaying.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var interaction = h.Fake.NewInteraction(2, Ask(CorpusQuestions.Chat.HighRisk));
        await h.DispatchInteractionAsync(interaction);
        await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        h.Fake.AgeInteractions(TimeSpan.FromMinutes(16));
        h.Delaying.Gate!.SetResult();
        await BotHarness.WaitUntilAsync(() => h.Logs.Entries.Any(e => e.Text.Contains("50027", StringComparison.Ordinal)));
        await h.PassAsync(TimeSpan.FromSeconds(3));
        Assert.Single(h.Fake.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task DI06_FeedbackButton_AcknowledgedAndRecordedWithAnswerId()
    {
        await using var h = await StartedAsync();
        var message = new JsonObject { ["id"] = "810000000000000001", ["channel_id"] = "400000000000000004", ["content"] = "answer" };
        var click = h.Fake.NewInteraction(3, new JsonObject { ["custom_id"] = "fb:up:42", ["component_type"] = 2 }, message: message);
        await h.DispatchInteractionAsync(click);
        var callback = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(4, callback.Json!["type"]!.GetValue<int>());
        Assert.Equal(64, callback.Json["data"]!["flags"]!.GetValue<int>());
        var feedback = Assert.Single(await h.WaitForFeedbackAsync());
        Assert.Equal("42", feedback.AnswerId);
        Assert.Equal(FeedbackReaction.Positive, feedback.Reaction);
        Assert.Equal("discord", feedback.Platform);
        Assert.Equal("500000000000000005", feedback.UserId);
        var clock = h.Fake.Clock(Id(click))!;
        Assert.True(clock.CallbackAt - clock.IssuedAt < TimeSpan.FromSeconds(2.5));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("fb:up:")]
    [InlineData("fb:sideways:1")]
    public async Task DI07_UnknownCustomId_EphemeralErrorReply(string customId)
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(3, new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 }));
        var callback = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(4, callback.Json!["type"]!.GetValue<int>());
        Assert.Equal(64, callback.Json["data"]!["flags"]!.GetValue<int>());
        Assert.Empty(await h.ReadFeedbackAsync());
        Assert.DoesNotContain(h.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task DI08_NestedSubcommandOptions_ParsedAndPermissionChecked()
    {
        await using var h = await StartedAsync();
        JsonObject Config(string sub, string? channel) => new()
        {
            ["name"] = "config",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject
            {
                ["name"] = "channels",
                ["type"] = 2,
                ["options"] = new JsonArray(new JsonObject
                {
                    ["name"] = sub,
                    ["type"] = 1,
                    ["options"] = channel is null ? new JsonArray() : new JsonArray(new JsonObject { ["name"] = "channel", ["type"] = 7, ["value"] = channel }),
                }),
            }),
        };

        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Config("add", "450000000000000001"), permissions: "0"));
        await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Null(await h.Store.GetAnswerChannelsAsync("discord", "300000000000000003", CancellationToken.None));

        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Config("add", "450000000000000001"), permissions: "32"));
        await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(["450000000000000001"], await h.Store.GetAnswerChannelsAsync("discord", "300000000000000003", CancellationToken.None));

        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Config("clear", null), permissions: "8"));
        await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Null(await h.Store.GetAnswerChannelsAsync("discord", "300000000000000003", CancellationToken.None));

        // Optional "private" missing: a public answer.
        var ask = h.Fake.NewInteraction(2, Ask("no private flag"));
        await h.DispatchInteractionAsync(ask);
        await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        Assert.False(h.Fake.Clock(Id(ask))!.Ephemeral);
        Assert.Equal("no private flag", h.Recorder!.Questions.Last().Text);
    }

    [Fact]
    public async Task DI09_DmInteraction_InvokerFromUser()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Ask("from a DM"), guildId: null, userId: "520000000000000001"));
        await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        var question = Assert.Single(h.Recorder!.Questions);
        Assert.Equal("520000000000000001", question.Context.UserId);
        Assert.Null(question.Context.ServerId);
    }

    [Fact]
    public async Task Autocomplete_FocusedQuestion_SuggestsCorpusTopics()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(4, new JsonObject
        {
            ["name"] = "ask",
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = "question", ["type"] = 3, ["value"] = "risk", ["focused"] = true }),
        }));
        var callback = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(8, callback.Json!["type"]!.GetValue<int>());
        var choices = callback.Json["data"]!["choices"]!.AsArray();
        var choice = Assert.Single(choices);
        Assert.Equal("High-risk AI systems", choice!["name"]!.GetValue<string>());
        Assert.Equal("High-risk AI systems", choice["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task ShowPassagesButton_OneEphemeralResponseWithEveryPassage()
    {
        await using var h = await StartedAsync();
        var expected = await TestCorpus.AnswerAsync(CorpusSet.Chat, CorpusQuestions.Chat.Oversized, "discord");
        Assert.Equal(AnswerOutcome.Answered, expected.Outcome);
        Assert.True(expected.Citations.Count >= 2, $"the answer cites {expected.Citations.Count} passages");
        var passage = expected.Citations[0].Passage;
        Assert.True(passage.Length > 1000, $"the first cited passage is {passage.Length} characters");
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, Ask(CorpusQuestions.Chat.Oversized)));
        var patch = await h.Fake.WaitForRequestAsync(r => r.Method == "PATCH");
        var answerId = Assert.Single(h.Recorder!.Answers).Id;
        var buttons = patch.Json!["components"]![0]!["components"]!.AsArray().Select(b => b!["custom_id"]!.GetValue<string>()).ToList();
        Assert.Equal([$"src:{answerId}", $"fb:up:{answerId}", $"fb:down:{answerId}"], buttons);

        await h.DispatchInteractionAsync(h.Fake.NewInteraction(3, new JsonObject { ["custom_id"] = $"src:{answerId}", ["component_type"] = 2 }));
        var callback = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal) && r.Json!["type"]!.GetValue<int>() == 4);
        Assert.Equal(64, callback.Json!["data"]!["flags"]!.GetValue<int>());
        var embeds = callback.Json["data"]!["embeds"]!.AsArray();
        Assert.Equal(expected.Citations.Count, embeds.Count);
        Assert.Contains(passage[..200], embeds[0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(expected.Citations[1].Passage[..100], embeds[1]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([.. expected.Citations.Select(c => c.Rank)], embeds.Select(e => int.Parse(e!["title"]!.GetValue<string>()[1..e["title"]!.GetValue<string>().IndexOf(']', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)));

        // One response, not one per passage: no follow-up message is posted for the click.
        await Task.Delay(300);
        Assert.DoesNotContain(h.Fake.Requests, r => r.Method == "POST" && r.Path.StartsWith("/webhooks/", StringComparison.Ordinal) && r.Json?["embeds"] is not null && r.Json["content"] is null && r.Json["flags"]?.GetValue<int>() == 64);
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task AboutAndSources_DescribeBotAndCorpus()
    {
        await using var h = await StartedAsync();
        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, new JsonObject { ["name"] = "about", ["type"] = 1 }));
        var about = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        var text = about.Json!["data"]!["content"]!.GetValue<string>();
        Assert.Contains("not legal or professional advice", text, StringComparison.Ordinal);
        Assert.Contains("logged", text, StringComparison.Ordinal);
        Assert.Contains("kept for 90 days", text, StringComparison.Ordinal);
        var engine = await TestCorpus.SharedAsync(CorpusSet.Chat);
        Assert.Contains($"`{engine.CorpusVersion}`", text, StringComparison.Ordinal);
        Assert.Contains($"{CorpusSet.Chat.DocumentCount} documents", text, StringComparison.Ordinal);

        await h.DispatchInteractionAsync(h.Fake.NewInteraction(2, new JsonObject { ["name"] = "sources", ["type"] = 1 }));
        var sources = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        var description = sources.Json!["data"]!["embeds"]![0]!["description"]!.GetValue<string>();
        Assert.Contains("EU AI Act essentials", description, StringComparison.Ordinal);
        Assert.Contains("Executive Order 14110", description, StringComparison.Ordinal);
        Assert.Empty(h.Fake.Violations);
    }
}
