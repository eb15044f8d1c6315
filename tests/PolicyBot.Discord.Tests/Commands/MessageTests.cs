using System.Text.Json.Nodes;
using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;

namespace PolicyBot.Discord.Tests.Commands;

/// <summary>Discord message scenarios DM-01…DM-11: which messages are answered, and what the replies look like on the wire.</summary>
public sealed class MessageTests
{
    private static string Mention(string text) => $"<@{FakeDiscord.BotUserId}> {text}";

    private static async Task<BotHarness> StartedAsync(Action<FakeDiscord>? configureFake = null, Action<DiscordOptions>? configureOptions = null)
    {
        var h = await BotHarness.CreateAsync(configureFake: configureFake, configureOptions: configureOptions);
        await h.StartAsync();
        return h;
    }

    [Fact]
    public async Task DM01_OwnAndOtherBotMessages_Ignored()
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("from myself"), authorId: FakeDiscord.BotUserId, authorIsBot: true, mentionsBot: true));
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("from another bot"), authorId: "510000000000000001", authorIsBot: true, mentionsBot: true));
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "DM from another bot", guildId: null, authorId: "510000000000000001", authorIsBot: true));
        var marker = FakeDiscord.NewMessage(h.Fake.NewId(), Mention("from a person"), mentionsBot: true);
        await h.DispatchMessageAsync(marker);
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(1));
        var reply = Assert.Single(h.Fake.Messages);
        Assert.Equal(marker["id"]!.GetValue<string>(), reply.Body["message_reference"]!["message_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("<@{0}> q")]
    [InlineData("<@!{0}> q")]
    [InlineData("q <@{0}>")]
    public async Task DM02_Mention_AnsweredWithMentionStripped(string content)
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), string.Format(System.Globalization.CultureInfo.InvariantCulture, content, FakeDiscord.BotUserId), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        var question = Assert.Single(h.Recorder!.Questions);
        Assert.Equal("q", question.Text);
        Assert.Equal("discord", question.Context.Platform);
        Assert.Equal("300000000000000003", question.Context.ServerId);
        Assert.Equal("400000000000000004", question.Context.ChannelId);
        Assert.Equal("500000000000000005", question.Context.UserId);
    }

    [Fact]
    public async Task DM03_NoBotMentionOrOnlyEveryone_Ignored()
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "what is the AI Act?"));
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "@everyone what is the AI Act?"));
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "<@510000000000000009> what is the AI Act?"));
        await h.PassAsync(TimeSpan.FromSeconds(2));
        Assert.Empty(h.Fake.Messages);
        Assert.Empty(h.Recorder!.Questions);
    }

    [Fact]
    public async Task DM04_DirectMessageWithoutMention_Answered()
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "what is a high-risk system?", guildId: null, channelId: "430000000000000001"));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        var reply = Assert.Single(h.Fake.Messages);
        Assert.Equal("430000000000000001", reply.ChannelId);
        Assert.Null(Assert.Single(h.Recorder!.Questions).Context.ServerId);
    }

    [Fact]
    public async Task DM05_BlankContentIgnored_MentionStillAnswered()
    {
        await using var h = await StartedAsync();
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), ""));
        var mention = FakeDiscord.NewMessage(h.Fake.NewId(), Mention("still works"), mentionsBot: true);
        await h.DispatchMessageAsync(mention);
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(1));
        Assert.Single(h.Fake.Messages);
        Assert.Equal("still works", Assert.Single(h.Recorder!.Questions).Text);
    }

    [Fact]
    public async Task DM06_AnswerContainingMentions_AllowedMentionsParsesNothing()
    {
        await using var h = await StartedAsync();
        var expected = await TestCorpus.AnswerAsync(CorpusSet.Chat, CorpusQuestions.Chat.Mentions, "discord");
        Assert.Equal(AnswerOutcome.Answered, expected.Outcome);
        Assert.Contains("@everyone", expected.Text, StringComparison.Ordinal);
        Assert.Contains("@here", expected.Text, StringComparison.Ordinal);
        Assert.Contains("<@&600000000000000006>", expected.Text, StringComparison.Ordinal);
        Assert.Contains("<@600000000000000007>", expected.Text, StringComparison.Ordinal);
        Assert.Equal("@everyone notes", expected.Citations[0].Title);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention(CorpusQuestions.Chat.Mentions), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        var body = Assert.Single(h.Fake.Messages).Body;
        var allowed = body["allowed_mentions"]!.AsObject();
        Assert.Empty(allowed["parse"]!.AsArray());
        Assert.Null(allowed["users"]);
        Assert.Null(allowed["roles"]);
        Assert.False(allowed["replied_user"]!.GetValue<bool>());
        Assert.DoesNotContain("@everyone", body["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("@here", body["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(AnswerOutcome.Answered, Assert.Single(h.Recorder!.Answers).Outcome);
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task DM07_Reply_ReferencesQuestionWithoutFailing()
    {
        await using var h = await StartedAsync();
        var question = FakeDiscord.NewMessage(h.Fake.NewId(), Mention("reply please"), mentionsBot: true);
        await h.DispatchMessageAsync(question);
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        var reference = Assert.Single(h.Fake.Messages).Body["message_reference"]!;
        Assert.Equal(question["id"]!.GetValue<string>(), reference["message_id"]!.GetValue<string>());
        Assert.False(reference["fail_if_not_exists"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DM08_LongAnswer_SplitInOrderWithinLimitsAndIntact()
    {
        await using var h = await StartedAsync();
        var expected = await TestCorpus.AnswerAsync(CorpusSet.Chat, CorpusQuestions.Chat.LongAnswer, "discord");
        var text = expected.Text;
        Assert.True(text.Length >= 4500, $"the engine's answer is {text.Length} characters");
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention(CorpusQuestions.Chat.LongAnswer), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Count >= 3);
        await h.PassAsync(TimeSpan.FromSeconds(1));
        var chunks = h.Fake.Messages.Select(m => m.Body["content"]!.GetValue<string>()).ToList();
        Assert.True(chunks.Count >= 3);
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 2000));
        // Intact: the chunks are the answer with each [n] a masked link to its source, nothing lost or reordered.
        Assert.Equal(AnswerFormatter.LinkMarkers(text, expected.Citations), string.Concat(chunks));
        Assert.Contains("[[1]](<https://example.org/records/retention>)", string.Concat(chunks), StringComparison.Ordinal);
        Assert.NotNull(h.Fake.Messages.First().Body["message_reference"]);
        Assert.NotNull(h.Fake.Messages.Last().Body["embeds"]);
        Assert.NotNull(h.Fake.Messages.Last().Body["components"]);
        Assert.Empty(h.Fake.Violations);
    }

    [Fact]
    public async Task DM09_OversizedCitations_NeverSentOverLimits()
    {
        await using var h = await StartedAsync();
        // The engine cites at most three passages (one per answer sentence); the ten-embed cap itself is checked on
        // the formatter with twelve citations (FormattingTests.Format_TenLongCitations_WithinEmbedLimits).
        var expected = await TestCorpus.AnswerAsync(CorpusSet.Chat, CorpusQuestions.Chat.Oversized, "discord");
        Assert.Equal(3, expected.Citations.Count);
        Assert.All(expected.Citations, c =>
        {
            Assert.True(c.Title.Length > 256, "title over the embed title limit");
            Assert.True(c.Source.Length > 2048, "source over the embed footer limit");
            Assert.True(c.Section.Length > 256, "section heading longer than an embed title");
            Assert.True(c.Passage.Length > 1500, "long passage");
        });
        Assert.True(expected.Citations.Sum(c => c.Title.Length + c.Source.Length + c.Passage.Length) > 6000, "citations over the 6,000-character embed total");
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention(CorpusQuestions.Chat.Oversized), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty || !h.Fake.Violations.IsEmpty);
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        var embed = Assert.Single(Assert.Single(h.Fake.Messages).Body["embeds"]!.AsArray())!;
        Assert.Equal("Sources", embed["title"]!.GetValue<string>());
        var lines = embed["description"]!.GetValue<string>().Split('\n');
        Assert.Equal(expected.Citations.Count, lines.Length);
        Assert.All(lines, l => Assert.InRange(l.Length, 10, AnswerFormatter.MaxSourceTitleChars + AnswerFormatter.MaxSourceLineChars + 40));
    }

    [Fact]
    public async Task DM10_PostCommittedButFailed_RetriedWithSameNonceAndDeduped()
    {
        await using var h = await StartedAsync(configureFake: f => f.FailAfterCommit = 1);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("retry safely"), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => h.Fake.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal)) >= 2);
        await h.PassAsync(TimeSpan.FromSeconds(1));
        var posts = h.Fake.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal)).Select(r => r.Json!).ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(posts[0]["nonce"]!.ToString(), posts[1]["nonce"]!.ToString());
        Assert.True(posts[0]["enforce_nonce"]!.GetValue<bool>());
        Assert.Single(h.Fake.Messages);
    }

    [Fact]
    public async Task DM11_SlowAnswer_TypingIndicatorFirst()
    {
        await using var h = await StartedAsync();
        h.Delaying.Delay = TimeSpan.FromSeconds(12);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention(CorpusQuestions.Chat.Fines), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        var typing = h.Fake.Requests.Where(r => r.Path.EndsWith("/typing", StringComparison.Ordinal)).ToList();
        var reply = h.Fake.Requests.First(r => r.Path.EndsWith("/messages", StringComparison.Ordinal));
        Assert.True(typing.Count >= 2, "typing refreshed during a 12 s answer");
        Assert.True(typing[0].At < reply.At);
        Assert.True(typing[1].At - typing[0].At <= TimeSpan.FromSeconds(9.5));
        Assert.Contains("35 million euros", h.Fake.Messages.First().Body["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChannelAllowList_MentionOutsideList_Ignored()
    {
        await using var h = await StartedAsync();
        await h.Store.SetAnswerChannelsAsync("discord", "300000000000000003", ["440000000000000001"], CancellationToken.None);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("not here"), channelId: "440000000000000002", mentionsBot: true));
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("here"), channelId: "440000000000000001", mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await h.PassAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("440000000000000001", Assert.Single(h.Fake.Messages).ChannelId);
    }

    [Fact]
    public async Task Thread_FollowUpWithoutMention_AnsweredWithPreviousQuestion()
    {
        await using var h = await StartedAsync(configureOptions: o => o.UseThreads = true);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("What is a high-risk AI system?"), mentionsBot: true));
        var thread = await h.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/threads", StringComparison.Ordinal));
        var threadId = thread.Path.Split('/')[4];
        await BotHarness.WaitUntilAsync(() => h.Adapter.PendingTurns == 0);
        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "and who enforces it?", channelId: threadId, channelType: 11));
        await BotHarness.WaitUntilAsync(() => h.Fake.Messages.Any(m => m.ChannelId == threadId));
        var followUp = h.Recorder!.Questions.Last();
        Assert.Equal("and who enforces it?", followUp.Text);
        Assert.Equal("What is a high-risk AI system?", followUp.Context.PreviousQuestion);
    }

    [Fact]
    public async Task Restart_ThreadFollowUpAndSourcesButton_StillWork()
    {
        string stateFile, threadId, answerId;
        await using (var before = await StartedAsync(configureOptions: o => o.UseThreads = true))
        {
            before.KeepStateFile = true;
            stateFile = before.Store.FilePath;
            await before.DispatchMessageAsync(FakeDiscord.NewMessage(before.Fake.NewId(), Mention(CorpusQuestions.Chat.Oversized), mentionsBot: true));
            var thread = await before.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/threads", StringComparison.Ordinal));
            threadId = thread.Path.Split('/')[4];
            await BotHarness.WaitUntilAsync(() => before.Adapter.PendingTurns == 0);
            answerId = Assert.Single(before.Recorder!.Answers).Id;
        }

        // A new process on the same state file: no in-memory trace of the thread or the answer.
        await using var after = await BotHarness.CreateAsync(configureOptions: o => o.UseThreads = true, stateFile: stateFile);
        await after.StartAsync();
        await after.DispatchMessageAsync(FakeDiscord.NewMessage(after.Fake.NewId(), "and who enforces it?", channelId: threadId, channelType: 11));
        await BotHarness.WaitUntilAsync(() => after.Fake.Messages.Any(m => m.ChannelId == threadId));
        var followUp = Assert.Single(after.Recorder!.Questions);
        Assert.Equal(CorpusQuestions.Chat.Oversized, followUp.Context.PreviousQuestion);

        await after.DispatchInteractionAsync(after.Fake.NewInteraction(3, new JsonObject { ["custom_id"] = $"src:{answerId}", ["component_type"] = 2 }));
        var callback = await after.Fake.WaitForRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Assert.Equal(4, callback.Json!["type"]!.GetValue<int>());
        Assert.NotNull(callback.Json["data"]!["embeds"]); // the passages, not "no longer available"
        Assert.Empty(after.Fake.Violations);
    }

    [Fact]
    public async Task OrdinaryChannelMessages_WithoutMention_NotAnswered()
    {
        await using var h = await StartedAsync();
        for (var i = 0; i < 5; i++)
        {
            await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), "chatter " + i, channelId: "440000000000000009"));
        }

        await h.DispatchMessageAsync(FakeDiscord.NewMessage(h.Fake.NewId(), Mention("What is a high-risk AI system?"), mentionsBot: true));
        await BotHarness.WaitUntilAsync(() => !h.Fake.Messages.IsEmpty);
        await BotHarness.WaitUntilAsync(() => h.Adapter.PendingTurns == 0);
        Assert.Single(h.Fake.Messages);
        Assert.Single(h.Recorder!.Questions);
    }
}
