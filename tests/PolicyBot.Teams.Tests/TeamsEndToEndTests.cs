using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests;

/// <summary>The real engine over a small temp corpus of Markdown files, built once for the class.</summary>
public sealed class RealEngineFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "policybot-teams-e2e-" + Guid.NewGuid().ToString("N"));

    public PolicyBotEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var corpus = Path.Combine(_root, "corpus");
        Directory.CreateDirectory(corpus);
        await File.WriteAllTextAsync(Path.Combine(corpus, "eu-ai-act.md"), """
            ---
            title: EU AI Act (Regulation (EU) 2024/1689)
            source: https://eur-lex.europa.eu/eli/reg/2024/1689/oj
            kind: primary
            ---
            # Risk management system

            Providers of high-risk AI systems shall establish, implement, document and maintain a risk management system.
            The risk management system shall be a continuous iterative process planned and run throughout the entire lifecycle of a high-risk AI system.

            # Transparency obligations

            Providers shall ensure that AI systems intended to interact directly with natural persons are designed so that the persons concerned are informed that they are interacting with an AI system.
            Deployers of an emotion recognition system shall inform the natural persons exposed thereto of the operation of the system.
            """);
        await File.WriteAllTextAsync(Path.Combine(corpus, "nist-ai-rmf.md"), """
            ---
            title: NIST AI Risk Management Framework 1.0
            source: NIST AI 100-1, January 2023
            kind: article
            ---
            # Govern

            The Govern function cultivates and implements a culture of risk management within organizations designing, developing, deploying or using AI systems.
            Accountability structures are in place so that the appropriate teams and individuals are empowered, responsible and trained for mapping, measuring and managing AI risks.

            # Map

            The Map function establishes the context to frame risks related to an AI system.
            """);
        var options = new PolicyBotOptions { IndexPath = Path.Combine(_root, "index.db") };
        options.CorpusDirectories.Add(corpus);
        Engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
        if (Engine.Documents.Count != 2)
        {
            throw new InvalidOperationException($"test corpus indexed {Engine.Documents.Count} documents, expected 2");
        }
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
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
        var card = Assert.Single(delivered, c => c.Body["attachments"] is not null);
        Assert.Equal(conversationId, card.ConversationId);
        Assert.Equal("1.5", card.Body["attachments"]![0]!["content"]!["version"]!.GetValue<string>());
        var cardTexts = card.Body["attachments"]![0]!["content"]!["body"]!.AsArray().Select(b => b!["text"]!.GetValue<string>()).ToList();
        Assert.All(positions, p => Assert.Contains(cardTexts, t => t.StartsWith($"[{p}] ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task E2E_ChannelMessageWithMention_OneCitedReplyInThread()
    {
        await using var ctx = await StartAsync();
        var inbound = ctx.Channel("What must providers of high-risk AI systems establish?", id: "1700000000001");
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(inbound)).StatusCode);
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Body["attachments"] is not null));
        AssertCitedReply(delivered, "19:abc123@thread.tacv2;messageid=1632474074231", "1700000000001");
        Assert.Contains("risk management system", delivered.First(IsAnswer).Text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task E2E_GroupChatMessage_OneCitedReply()
    {
        await using var ctx = await StartAsync();
        await ctx.PostAsync(ctx.GroupChat("Who must be informed that they are interacting with an AI system?", id: "g-1"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Body["attachments"] is not null));
        AssertCitedReply(delivered, "19:group-chat-id@thread.v2", "g-1");
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task E2E_PersonalMessage_OneCitedReply_ThenFeedbackRecorded()
    {
        await using var ctx = await StartAsync();
        await ctx.PostAsync(ctx.Personal("What does the Govern function cultivate?", id: "p-1"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Body["attachments"] is not null));
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
        var record = Assert.Single(ctx.Feedback.Records);
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
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Body["attachments"] is not null), TimeSpan.FromSeconds(20));
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
