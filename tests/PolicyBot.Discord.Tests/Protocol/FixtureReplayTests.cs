using System.Text.Json.Nodes;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Discord.Tests.Protocol;

/// <summary>Recorded gateway payloads (full Discord shapes with fields the bot ignores) replayed through the fake.</summary>
public sealed class FixtureReplayTests
{
    private static JsonObject Load(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!.AsObject();

    private static async Task<BotHarness> StartedWithRecordedReadyAsync()
    {
        var h = await BotHarness.CreateAsync(configureFake: f => f.AutoReady = false);
        var connection = await h.ConnectAsync();
        await connection.ReceiveOpAsync(2);
        var ready = Load("ready.json");
        ready["resume_gateway_url"] = h.Fake.ResumeUrl;
        var session = new FakeSession("fixture-session-0001", [0, 1]);
        connection.Session = session;
        await connection.DispatchAsync("READY", ready);
        await BotHarness.WaitUntilAsync(() => h.Bot.Shards.Count > 0 && h.Bot.Shards[0].SessionId == "fixture-session-0001");
        return h;
    }

    [Fact]
    public async Task RecordedReady_SessionAndResumeUrlStored()
    {
        await using var h = await StartedWithRecordedReadyAsync();
        Assert.Equal(h.Fake.ResumeUrl, h.Bot.Shards[0].ResumeGatewayUrl);
        Assert.Equal(FakeDiscord.BotUserId, h.Bot.Shards[0].UserId);
        Assert.Equal(FakeDiscord.ApplicationId, h.Bot.Shards[0].ApplicationId);
        Assert.True(h.State.IsConnected);
    }

    [Fact]
    public async Task RecordedMention_AnsweredAsReply()
    {
        await using var h = await StartedWithRecordedReadyAsync();
        await h.DispatchMessageAsync(Load("message_create_mention.json"));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        var reply = Assert.Single(h.Fake.Messages);
        Assert.Equal("1310000000000000001", reply.Body["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.Contains("risk management system", reply.Body["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordedDirectMessage_Answered()
    {
        await using var h = await StartedWithRecordedReadyAsync();
        await h.DispatchMessageAsync(Load("message_create_dm.json"));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        Assert.Equal("460000000000000001", Assert.Single(h.Fake.Messages).ChannelId);
    }

    [Fact]
    public async Task RecordedAskInteraction_PrivateDeferThenEdit()
    {
        await using var h = await StartedWithRecordedReadyAsync();
        var interaction = h.Fake.TrackInteraction(Load("interaction_create_ask.json"));
        await h.DispatchInteractionAsync(interaction);
        await BotHarness.WaitUntilAsync(() => h.Fake.Requests.Any(r => r.Method == "PATCH") || h.Logs.Entries.Any(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error), 5);
        Assert.True(h.Fake.Requests.Any(r => r.Method == "PATCH"), h.Logs.AllText + "\n" + string.Join("\n", h.Fake.Requests.Select(r => r.Method + " " + r.Path + " " + r.Body)) + string.Join("\n", h.Fake.Violations));
        var patch = h.Fake.Requests.First(r => r.Method == "PATCH");
        var callback = h.Fake.Requests.Single(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal("{\"type\":5,\"data\":{\"flags\":64}}", callback.Body);
        Assert.Contains("[1]", patch.Json!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordedAutocompleteFromDm_Suggests()
    {
        await using var h = await StartedWithRecordedReadyAsync();
        await h.DispatchInteractionAsync(h.Fake.TrackInteraction(Load("interaction_create_autocomplete.json")));
        var callback = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(8, callback.Json!["type"]!.GetValue<int>());
        Assert.NotEmpty(callback.Json["data"]!["choices"]!.AsArray());
    }

    [Fact]
    public async Task RecordedButtonClick_FeedbackRecorded()
    {
        await using var h = await StartedWithRecordedReadyAsync();
        await h.DispatchInteractionAsync(h.Fake.TrackInteraction(Load("interaction_create_button.json")));
        await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        var feedback = Assert.Single(await h.WaitForFeedbackAsync());
        Assert.Equal("fixture-answer-7", feedback.AnswerId);
        Assert.Equal(FeedbackReaction.Positive, feedback.Reaction);
    }
}
