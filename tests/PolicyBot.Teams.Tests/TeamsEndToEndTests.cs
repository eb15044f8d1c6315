using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Core;
using PolicyBot.Teams.Tests.Fakes;
using PolicyBot.Search;

namespace PolicyBot.Teams.Tests;

/// <summary>The real engine over the test corpus (<see cref="TestCorpus"/>) in its own temp folder and index, built once for the class.</summary>
public sealed class RealEngineFixture : IAsyncLifetime
{
    private readonly TestCorpus _corpus = new(CorpusSet.Teams);

    public PolicyBotEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync() => Engine = await _corpus.OpenAsync();

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await _corpus.DisposeAsync();
    }
}

/// <summary>End to end through the real engine: channel, group chat and personal messages, feedback, splitting.</summary>
public sealed partial class TeamsEndToEndTests(RealEngineFixture fixture) : IClassFixture<RealEngineFixture>
{
    private static bool IsAnswer(ConnectorCall c) => c.Type == "message" && c.Body["attachments"] is null;

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Marker();

    private Task<TeamsTestContext> StartAsync(Action<TeamsOptions>? tune = null) =>
        TeamsTestContext.StartAsync(s =>
        {
            s.Answerer = fixture.Engine;
            s.Catalog = fixture.Engine;
            s.Tune = tune;
        });

    private static void AssertCitedReply(IReadOnlyList<ConnectorCall> delivered, string conversationId, string activityId)
    {
        var replies = delivered.Where(IsAnswer).ToList();
        var reply = Assert.Single(replies);
        Assert.Equal(conversationId, reply.ConversationId);
        Assert.Equal(activityId, reply.ActivityId);
        Assert.DoesNotContain("<at>", reply.Text, StringComparison.Ordinal);
        var markers = Marker().Matches(reply.Text!).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.NotEmpty(markers);
        var entity = Assert.Single(reply.Body["entities"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "https://schema.org/Message")!;
        var positions = entity["citation"]!.AsArray().Select(c => c!["position"]!.GetValue<int>()).ToHashSet();
        Assert.True(markers.SetEquals(positions), $"markers {string.Join(',', markers)} vs positions {string.Join(',', positions)}");
        Assert.Equal("AIGeneratedContent", entity["additionalType"]![0]!.GetValue<string>());
        Assert.DoesNotContain(delivered, c => c.Body["attachments"] is not null);
        Assert.All(entity["citation"]!.AsArray(), c => Assert.False(string.IsNullOrEmpty(c!["appearance"]!["text"]?.GetValue<string>())));
    }

    [Fact]
    public async Task E2E_ChannelMessageWithMention_OneCitedReplyInThread()
    {
        await using var ctx = await StartAsync();
        var inbound = ctx.Channel("What must providers of high-risk AI systems establish?", id: "1700000000001");
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(inbound)).StatusCode);
        var delivered = await ctx.WaitForAnswerAsync();
        AssertCitedReply(delivered, "19:abc123@thread.tacv2;messageid=1632474074231", "1700000000001");
        Assert.Contains("risk management system", delivered.First(IsAnswer).Text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task E2E_GroupChatMessage_OneCitedReply()
    {
        await using var ctx = await StartAsync();
        await ctx.PostAsync(ctx.GroupChat("Who must be informed that they are interacting with an AI system?", id: "g-1"));
        var delivered = await ctx.WaitForAnswerAsync();
        AssertCitedReply(delivered, "19:group-chat-id@thread.v2", "g-1");
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task E2E_PersonalMessage_OneCitedReply_ThenFeedbackRecorded()
    {
        await using var ctx = await StartAsync();
        await ctx.PostAsync(ctx.Personal("What does the Govern function cultivate?", id: "p-1"));
        var delivered = await ctx.WaitForAnswerAsync();
        AssertCitedReply(delivered, "a:1Xpersonal-conv", "p-1");
        var replyIndex = ctx.Fake.Calls.ToList().FindIndex(IsAnswer);
        var invoke = Activities.Invoke(ctx.Fake.ServiceUrl, "message/submitAction", new JsonObject
        {
            ["actionName"] = "feedback",
            ["actionValue"] = new JsonObject { ["reaction"] = "dislike", ["feedback"] = "{\"feedbackText\":\"missing the Map function\"}" },
        }, replyToId: $"bot-msg-{replyIndex + 1}");
        var response = await ctx.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        var record = Assert.Single(await ctx.Feedback.ReadFeedbackAsync());
        Assert.StartsWith("bot-msg-", $"bot-msg-{replyIndex + 1}", StringComparison.Ordinal);
        Assert.NotEqual($"bot-msg-{replyIndex + 1}", record.AnswerId); // mapped to the engine's answer id
        Assert.Equal("missing the Map function", record.Comment);
    }

    [Fact]
    public async Task E2E_OutOfCorpusQuestion_AbstainsPolitely_NoCitationEntityClaims()
    {
        await using var ctx = await StartAsync();
        await ctx.PostAsync(ctx.Personal("What is the capital of Peru?"));
        var reply = (await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer))).First(IsAnswer);
        Assert.False(string.IsNullOrWhiteSpace(reply.Text));
        await Task.Delay(200);
        Assert.DoesNotContain(ctx.Fake.Delivered, c => c.Body["attachments"] is not null);
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task E2E_OversizedAnswer_SplitIntoConsistentParts()
    {
        await using var ctx = await StartAsync(o => o.MaxMessageChars = 120);
        await ctx.PostAsync(ctx.Personal("What must providers of high-risk AI systems establish and maintain throughout the lifecycle?"));
        var delivered = await ctx.WaitForAnswerAsync(TimeSpan.FromSeconds(20));
        var parts = delivered.Where(IsAnswer).ToList();
        Assert.True(parts.Count >= 2, $"parts {parts.Count}");
        Assert.All(parts, p => Assert.True(p.Text!.Length <= 120));
        Assert.Empty(ctx.Fake.ShapeErrors); // the fake checks markers vs positions per part
        Assert.Equal(parts.Count, parts.Select(p => p.Text).Distinct().Count());
    }
}

/// <summary>The latency helper runs end to end over the real engine; timing is reported, never asserted.</summary>
public sealed class TeamsLatencyBenchTests(RealEngineFixture fixture) : IClassFixture<RealEngineFixture>
{
    [Fact]
    public async Task Bench_MeasuresEveryQuestion_OverRealEngine()
    {
        var report = await TeamsLatencyBench.RunAsync(fixture.Engine, fixture.Engine, ["What must providers of high-risk AI systems establish?", "What does the Govern function cultivate?"], 20, CancellationToken.None);
        Assert.Equal(20, report.Questions);
        Assert.True(report.P50 > TimeSpan.Zero);
        Assert.True(report.P99 >= report.P50);
        Assert.True(report.Max >= report.P99);
        Console.WriteLine(report);
    }
}
