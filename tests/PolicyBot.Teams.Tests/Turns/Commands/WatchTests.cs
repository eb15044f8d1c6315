using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Watching;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.Turns.Commands;

/// <summary>
/// <c>watch …</c> in a Teams channel and chat through the fake Bot Framework with the real SQLite store, and the notices
/// posted proactively with the stored conversation reference and serviceUrl (also from a restarted bot process).
/// </summary>
public sealed class WatchTests
{
    private const string ChannelRoot = "19:abc123@thread.tacv2";

    private static readonly CorpusDocumentInfo EuNote = new("eu-ai-act.md", "The EU AI Act: scope and penalties", "note", "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "2024-08-01", ["EU"], ["eu-ai-act"], 3, DateTimeOffset.UnixEpoch)
    {
        ContentHash = "hash-v1",
        MainSource = new SourceReference { Outlet = "Official Journal of the European Union", Published = new SourceDate(2024, 7, 12, DatePrecision.Day), Url = new Uri("https://eur-lex.europa.eu/eli/reg/2024/1689/oj") },
    };

    private static async Task<string> SayAsync(TeamsTestContext ctx, string text, bool channel = true)
    {
        var before = ctx.Fake.DeliveredMessages.Count;
        await ctx.PostAsync(channel ? ctx.Channel(text) : ctx.Personal(text));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message" && c.Status is >= 200 and < 300) > before);
        var reply = delivered.Where(c => c.Type == "message" && c.Status is >= 200 and < 300).Skip(before).First();
        Assert.Null(reply.Body["entities"]); // a plain reply: no AI label, no citations, no mentions
        return reply.Text!;
    }

    private static WatchNotifier Notifier(BotHost bot, TeamsTestContext ctx) =>
        new(ctx.Feedback.Store, ctx.Feedback.Store, bot.Services.GetServices<IWatchNoticeSender>(), TimeProvider.System, NullLogger<WatchNotifier>.Instance);

    [Fact]
    public async Task WatchInChannelAndChat_AddListRemove_StoredWithTheConversationReference()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        Assert.Equal("Watching topic “EU AI Act” here: when a source on it is added or changes, I'll post one notice in this channel.", await SayAsync(ctx, "watch add topic: EU AI Act"));
        Assert.Equal("This channel already watches topic “eu ai act”.", await SayAsync(ctx, "watch eu ai act"));
        Assert.StartsWith("Watching jurisdiction the EU (EU) here", await SayAsync(ctx, "watch add jurisdiction: Europe"), StringComparison.Ordinal);
        Assert.StartsWith("Watching topic “NIST AI RMF” here", await SayAsync(ctx, "watch add topic NIST AI RMF", channel: false), StringComparison.Ordinal);

        // Stored under the channel's root conversation (not the thread it was typed in), with what a proactive post needs.
        var watch = (await ctx.Feedback.Store.ListWatchesAsync("teams", ChannelRoot, CancellationToken.None))[0];
        Assert.Equal("19:team@thread.tacv2", watch.ServerId);
        var reference = System.Text.Json.Nodes.JsonNode.Parse(watch.Reference!)!;
        Assert.Equal(ctx.Fake.ServiceUrl, reference["serviceUrl"]!.GetValue<string>());
        Assert.Equal(ChannelRoot, reference["conversationId"]!.GetValue<string>());
        Assert.Equal(TeamsTestContext.BotId, reference["botId"]!.GetValue<string>());

        Assert.Equal("This channel watches:\n- topic EU AI Act\n- jurisdiction the EU (EU)", await SayAsync(ctx, "watch list"));
        Assert.Equal("This chat watches:\n- topic NIST AI RMF", await SayAsync(ctx, "watch list", channel: false));
        Assert.Equal("This channel no longer watches jurisdiction the EU (EU).", await SayAsync(ctx, "watch remove jurisdiction: EU"));
        Assert.StartsWith("This channel does not watch jurisdiction the EU (EU). This channel watches:\n- topic EU AI Act", await SayAsync(ctx, "watch remove jurisdiction: eu"), StringComparison.Ordinal);
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task HostileEmptyHugeAndChineseText_EscapedOrRefused()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        Assert.StartsWith("This channel watches nothing yet.", await SayAsync(ctx, "watch"), StringComparison.Ordinal);
        Assert.StartsWith("Name a topic or a jurisdiction.", await SayAsync(ctx, "watch add"), StringComparison.Ordinal);
        Assert.StartsWith("That topic has no words I can match", await SayAsync(ctx, "watch add topic: *** !!! ---"), StringComparison.Ordinal);
        Assert.StartsWith("I don't know that jurisdiction", await SayAsync(ctx, "watch add jurisdiction: Atlantis"), StringComparison.Ordinal);

        var hostile = await SayAsync(ctx, "watch add topic: **bold** [link](https://evil.example) <at>Megan Bowen</at> _x_");
        Assert.Contains("\\*\\*bold\\*\\* \\[link\\] (https://evil.example) Megan Bowen \\_x\\_", hostile, StringComparison.Ordinal); // the inbound <at> tags are stripped, formatting escaped

        Assert.StartsWith("Watching topic “人工智能 法规” here", await SayAsync(ctx, "watch add topic: 人工智能 法规"), StringComparison.Ordinal);
        await SayAsync(ctx, "watch add topic: " + string.Join(' ', Enumerable.Repeat("governance", 600)));
        var watches = await ctx.Feedback.Store.ListWatchesAsync("teams", ChannelRoot, CancellationToken.None);
        Assert.Equal(3, watches.Count);
        Assert.All(watches, w => Assert.True(w.Label.Length <= WatchTarget.MaxTopicChars));
        Assert.Contains(watches, w => w.Key == "人工智能 法规");
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task Notice_PostedProactivelyOnce_AlsoFromARestartedProcess_AndDroppedWhenTheConversationIsGone()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await SayAsync(ctx, "watch add topic: EU AI Act");
        await SayAsync(ctx, "watch add jurisdiction: EU");
        await SayAsync(ctx, "watch add topic: NIST AI RMF", channel: false);
        var before = ctx.Fake.DeliveredMessages.Count;

        var sent = await Notifier(ctx.Bot, ctx).NotifyAsync([new CorpusChange(EuNote, Added: false)], CancellationToken.None);
        Assert.Equal(1, sent);
        var notice = ctx.Fake.DeliveredMessages.Skip(before).Single();
        Assert.Equal(ChannelRoot, notice.ConversationId);
        Assert.Null(notice.ActivityId); // a new post in the channel, not a reply in the thread the watch was added in
        Assert.Equal("New source on EU AI Act, the EU: [The EU AI Act: scope and penalties](https://eur-lex.europa.eu/eli/reg/2024/1689/oj) (Official Journal of the European Union, 12 July 2024) — ask me about it.", notice.Text);
        Assert.Equal("markdown", notice.Body["textFormat"]!.GetValue<string>());
        Assert.Null(notice.Body["entities"]);
        Assert.Equal(TeamsTestContext.BotId, notice.Body["from"]!["id"]!.GetValue<string>());
        Assert.StartsWith("Bearer ", notice.Authorization, StringComparison.Ordinal);

        // The same version again (another replica, a later reload): nothing.
        Assert.Equal(0, await Notifier(ctx.Bot, ctx).NotifyAsync([new CorpusChange(EuNote, Added: false)], CancellationToken.None));

        // A restarted bot process (nothing in memory: no serviceUrl seen yet) posts the next version from the stored reference.
        await using (var restarted = await BotHost.StartAsync(ctx.Fake, ctx.Clock, new BotHost.Settings { Answerer = ctx.Answerer, Catalog = ctx.Engine, Feedback = ctx.Feedback.Store }))
        {
            Assert.Equal(1, await Notifier(restarted, ctx).NotifyAsync([new CorpusChange(EuNote with { ContentHash = "hash-v2" }, Added: false)], CancellationToken.None));
            Assert.Equal(2, ctx.Fake.DeliveredMessages.Skip(before).Count());
        }

        // Hostile corpus text is shown as text; a conversation that is gone drops its watches.
        var hostile = EuNote with { Title = "<at>Megan Bowen</at> **urgent** [click](https://evil.example)", ContentHash = "hash-v3", MainSource = null, Source = "@everyone" };
        ctx.Fake.Script(new ScriptedResponse(404, "ConversationNotFound"));
        Assert.Equal(0, await Notifier(ctx.Bot, ctx).NotifyAsync([new CorpusChange(hostile, Added: true)], CancellationToken.None));
        Assert.Empty(await ctx.Feedback.Store.ListWatchesAsync("teams", ChannelRoot, CancellationToken.None));
        Assert.Single(await ctx.Feedback.Store.ListWatchesAsync("teams", "a:1Xpersonal-conv", CancellationToken.None));
        Assert.Equal(
            "New source on the EU: **&lt;at&gt;Megan Bowen&lt;/at&gt; \\*\\*urgent\\*\\* \\[click\\] (https://evil.example)** (@everyone, 1 Aug 2024) — ask me about it.",
            TeamsWatchText(hostile));
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    private static string TeamsWatchText(CorpusDocumentInfo document) =>
        PolicyBot.Teams.Turns.Commands.TeamsWatchNoticeSender.Text(WatchNotice.For([new Watch { Platform = "teams", ChannelId = ChannelRoot, Kind = WatchKind.Jurisdiction, Key = "EU", Label = "the EU" }], document));
}
