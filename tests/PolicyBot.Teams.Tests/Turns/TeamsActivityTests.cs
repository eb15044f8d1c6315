using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Tests.Answers;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.Turns;

/// <summary>TX scenarios (conformance-scenarios.md §6) against the fake Connector.</summary>
public sealed class TeamsActivityTests
{
    private static bool IsAnswer(ConnectorCall c) => c.Type == "message" && c.Body["attachments"] is null;

    [Fact]
    public async Task TX01_PersonalMessage_OneReplyToActivity_WithSwappedAccountsAndBearer()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var inbound = ctx.Personal(CorpusQuestions.Teams.HighRisk, id: "1632474074231");
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(inbound)).StatusCode);
        var delivered = await ctx.WaitForAnswerAsync();
        var reply = Assert.Single(delivered, IsAnswer);
        Assert.Equal("/amer/v3/conversations/a%3A1Xpersonal-conv/activities/1632474074231", reply.RawTarget);
        Assert.Equal("1632474074231", reply.Body["replyToId"]!.GetValue<string>());
        Assert.Equal(TeamsTestContext.BotId, reply.Body["from"]!["id"]!.GetValue<string>());
        Assert.Equal("29:1XJKuser", reply.Body["recipient"]!["id"]!.GetValue<string>());
        Assert.Equal("a:1Xpersonal-conv", reply.Body["conversation"]!["id"]!.GetValue<string>());
        Assert.StartsWith("Bearer fake-aad-", reply.Authorization, StringComparison.Ordinal);
        Assert.Equal(CorpusQuestions.Teams.HighRisk, Assert.Single(ctx.Answerer.Questions).Text);
        Assert.Equal(AnswerOutcome.Answered, Assert.Single(ctx.Answerer.Answers).Outcome);
        Assert.Equal("teams", ctx.Answerer.Questions.Single().Context.Platform);
    }

    [Fact]
    public async Task TX02_ChannelMessageWithMention_MentionStripped_ReplyIntoThreadWithEscapedId()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Channel("q", id: "1632474074231"))).StatusCode);
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        var reply = delivered.First(IsAnswer);
        Assert.Equal("19:abc123@thread.tacv2;messageid=1632474074231", reply.ConversationId);
        Assert.Contains("19%3Aabc123%40thread.tacv2%3Bmessageid%3D1632474074231", reply.RawTarget, StringComparison.Ordinal);
        Assert.Equal("q", ctx.Answerer.Questions.Single().Text);
        Assert.Equal("19:team@thread.tacv2", ctx.Answerer.Questions.Single().Context.ServerId);
    }

    [Fact]
    public async Task TX03_ChannelMessageMentioningSomeoneElse_NoReply()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var activity = ctx.Channel("<at>Adele</at> q", mention: false);
        Assert.Equal(HttpStatusCode.OK, (await ctx.PostAsync(activity)).StatusCode);
        await Task.Delay(300);
        Assert.Empty(ctx.Fake.Calls);
        Assert.Equal(0, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TX04_SlowAnswer_PostAcknowledgedBeforeAnswerIsSent()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Delaying.Delay = TimeSpan.FromSeconds(2);
        var response = await ctx.PostAsync(ctx.Personal("slow question"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.DoesNotContain(ctx.Fake.Calls, IsAnswer); // acknowledged while the answer is still being worked on
        await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
    }

    [Fact]
    public async Task TX05_LongAnswer_TypingFirstThenRepeated_ToConversationRoute()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Delaying.Delay = TimeSpan.FromMilliseconds(1000);
        await ctx.PostAsync(ctx.Personal("slow"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        var typing = delivered.TakeWhile(c => !IsAnswer(c)).Where(c => c.Type == "typing").ToList();
        Assert.True(typing.Count >= 2, $"typing count {typing.Count}");
        Assert.Equal("typing", delivered[0].Type);
        Assert.All(typing, t => Assert.Null(t.ActivityId));
        Assert.All(typing, t => Assert.EndsWith("/activities", t.RawTarget, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TX06_BotAddedToConversation_OneWelcome()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var update = Activities.Base("conversationUpdate", ctx.Fake.ServiceUrl, "channel", "19:general@thread.tacv2");
        update["membersAdded"] = new JsonArray(new JsonObject { ["id"] = TeamsTestContext.BotId });
        update["channelData"]!["eventType"] = "teamMemberAdded";
        Assert.Equal(HttpStatusCode.OK, (await ctx.PostAsync(update)).StatusCode);
        var delivered = await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message") == 1);
        await Task.Delay(200);
        var welcome = Assert.Single(ctx.Fake.Delivered);
        Assert.Contains("AI policy", welcome.Text, StringComparison.Ordinal);
        Assert.Contains("logged", welcome.Text, StringComparison.Ordinal);
        Assert.Contains("not legal or professional advice", welcome.Text, StringComparison.Ordinal);
        Assert.Contains("kept for 90 days", welcome.Text, StringComparison.Ordinal);
        Assert.Contains("mention", welcome.Text, StringComparison.Ordinal);
        Assert.Equal(0, ctx.Answerer.Calls);
        Assert.NotNull(delivered);
    }

    [Fact]
    public async Task TX07_UsersAdded_InstallationUpdate_UnknownType_200AndNoOutbound()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var users = Activities.Base("conversationUpdate", ctx.Fake.ServiceUrl);
        users["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "29:new-user" });
        var install = Activities.Base("installationUpdate", ctx.Fake.ServiceUrl);
        install["action"] = "add";
        var remove = Activities.Base("installationUpdate", ctx.Fake.ServiceUrl);
        remove["action"] = "remove";
        var foo = Activities.Base("foo", ctx.Fake.ServiceUrl);
        foreach (var a in new[] { users, install, remove, foo })
        {
            Assert.Equal(HttpStatusCode.OK, (await ctx.PostAsync(a)).StatusCode);
        }

        await Task.Delay(300);
        Assert.Empty(ctx.Fake.Calls);
    }

    [Fact]
    public async Task TX08_MalformedJsonWithValidToken_Returns400_NoHandler()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent("{\"type\":\"message\",", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", ctx.Bearer());
        Assert.Equal(HttpStatusCode.BadRequest, (await ctx.Bot.Http.SendAsync(request)).StatusCode);
        var noType = ctx.Personal("q");
        noType.Remove("type");
        Assert.Equal(HttpStatusCode.BadRequest, (await ctx.PostAsync(noType)).StatusCode);
        await Task.Delay(200);
        Assert.Equal(0, ctx.Answerer.Calls);
        Assert.Empty(ctx.Fake.Calls);
    }

    [Fact]
    public async Task TX09_SameActivityDeliveredTwice_AnsweredOnce()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var activity = ctx.Personal("q", id: "dup-1");
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(activity)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ctx.PostAsync(activity)).StatusCode);
        await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        await Task.Delay(300);
        Assert.Single(ctx.Fake.Delivered, IsAnswer);
        Assert.Equal(1, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TX09_SameActivityDeliveredToTwoReplicas_AnsweredOnce()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        // A second replica: its own process state, the same state store (as with PostgreSQL, here one SQLite file).
        await using var replica = await BotHost.StartAsync(ctx.Fake, ctx.Clock, new BotHost.Settings { Answerer = ctx.Answerer, Catalog = ctx.Engine, Feedback = ctx.Feedback.Store });
        var activity = ctx.Personal("What is a high-risk AI system?", id: "dup-across-replicas");
        var responses = await Task.WhenAll(ctx.Bot.PostAsync(activity, ctx.Bearer()), replica.PostAsync(activity, ctx.Bearer()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode)); // neither replica has seen it before
        await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        await Task.Delay(500);
        Assert.Single(ctx.Fake.Delivered, IsAnswer);
        Assert.Equal(1, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TX10_CardSubmitAsMessageAndAsInvoke_RoutedToCardHandler()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var submit = ctx.Personal("");
        submit.Remove("text");
        submit["value"] = new JsonObject { ["question"] = "from the card" };
        submit["replyToId"] = "bot-card-1";
        Assert.True((await ctx.PostAsync(submit)).IsSuccessStatusCode);

        var invoke = Activities.Invoke(ctx.Fake.ServiceUrl, "task/submit", new JsonObject { ["question"] = "from the invoke" });
        var response = await ctx.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        await ctx.Fake.WaitForAsync(d => d.Count(IsAnswer) == 2);
        Assert.Equal(["from the card", "from the invoke"], ctx.Answerer.Questions.Select(q => q.Text).Order().ToArray());
    }

    [Fact]
    public async Task TX11_AdaptiveCardActionExecute_ExactInvokeResponse()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var invoke = Activities.Invoke(ctx.Fake.ServiceUrl, "adaptiveCard/action", new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "sources", ["data"] = new JsonObject() },
        });
        var response = await ctx.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        Assert.Equal("AdaptiveCard", body["value"]!["type"]!.GetValue<string>());
        Assert.Equal("1.5", body["value"]!["version"]!.GetValue<string>());

        var refine = Activities.Invoke(ctx.Fake.ServiceUrl, "adaptiveCard/action", new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "refine", ["data"] = new JsonObject { ["x"] = 1 } },
        });
        var refined = JsonNode.Parse(await (await ctx.PostAsync(refine)).Content.ReadAsStringAsync())!;
        Assert.Equal("application/vnd.microsoft.activity.message", refined["type"]!.GetValue<string>());
        Assert.IsType<string>(refined["value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    [InlineData("{\"action\":{\"type\":\"Action.Submit\",\"data\":{}}}")]
    public async Task TX12_AdaptiveCardActionInvalid_400InvokeError(string? value)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var invoke = Activities.Invoke(ctx.Fake.ServiceUrl, "adaptiveCard/action", value is null ? null : JsonNode.Parse(value));
        var response = await ctx.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["value"]!["code"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(body["value"]!["message"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("like", FeedbackReaction.Positive)]
    [InlineData("dislike", FeedbackReaction.Negative)]
    public async Task TX13_FeedbackInvoke_200EmptyBody_RecordedAgainstTheAnswer(string reaction, FeedbackReaction expected)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.Personal(CorpusQuestions.Teams.TwoSources));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        var answer = Assert.Single(ctx.Answerer.Answers);
        Assert.Equal(AnswerOutcome.Answered, answer.Outcome);
        var answerId = answer.Id;
        var botMessageId = $"bot-msg-{ctx.Fake.Calls.ToList().FindIndex(IsAnswer) + 1}";

        // The bot links its message id to the answer once the Connector's reply reaches it, a moment after delivery.
        var sent = ctx.Bot.Services.GetRequiredService<PolicyBot.Teams.Turns.SentAnswerIndex>();
        for (var wait = 0; wait < 200 && sent.Find(botMessageId) is null; wait++)
        {
            await Task.Delay(10);
        }

        var invoke = Activities.Invoke(ctx.Fake.ServiceUrl, "message/submitAction", new JsonObject
        {
            ["actionName"] = "feedback",
            ["actionValue"] = new JsonObject { ["reaction"] = reaction, ["feedback"] = "{\"feedbackText\":\"great\"}" },
        }, replyToId: botMessageId);
        var response = await ctx.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        var redelivered = await ctx.PostAsync(invoke);
        Assert.Equal("{}", await redelivered.Content.ReadAsStringAsync());
        var record = Assert.Single(await ctx.Feedback.ReadFeedbackAsync());
        Assert.Equal(answerId, record.AnswerId);
        Assert.Equal(expected, record.Reaction);
        Assert.Equal("great", record.Comment);
        Assert.Equal("teams", record.Platform);
        Assert.Equal("7faf8ab2-0000-4000-8000-000000000001", record.UserId);
        Assert.NotEmpty(delivered);
    }

    [Fact]
    public async Task TX14_FetchTask_CustomFeedbackNotEnabled_Returns501()
    {
        // Design: the bot uses the default feedback form, so message/fetchTask is not implemented.
        await using var ctx = await TeamsTestContext.StartAsync();
        var invoke = Activities.Invoke(ctx.Fake.ServiceUrl, "message/fetchTask", new JsonObject { ["actionName"] = "feedback", ["actionValue"] = new JsonObject { ["reaction"] = "like" } });
        Assert.Equal(HttpStatusCode.NotImplemented, (await ctx.PostAsync(invoke)).StatusCode);
    }

    [Fact]
    public async Task TX15_UnknownInvoke_Returns501()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var response = await ctx.PostAsync(Activities.Invoke(ctx.Fake.ServiceUrl, "composeExtension/query", new JsonObject()));
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Empty(ctx.Fake.Calls);
    }

    [Fact]
    public async Task TX16_AnswerWithSources_OneMessageEntityConsistentWithMarkers()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.Personal(CorpusQuestions.Teams.TwoSources));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        Assert.Empty(ctx.Fake.ShapeErrors);
        var reply = delivered.First(IsAnswer);
        var entity = Assert.Single(reply.Body["entities"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "https://schema.org/Message")!;
        Assert.Equal("AIGeneratedContent", entity["additionalType"]![0]!.GetValue<string>());
        var citations = entity["citation"]!.AsArray();
        Assert.Equal([1, 2], citations.Select(c => c!["position"]!.GetValue<int>()).ToArray());
        var first = citations[0]!["appearance"]!;
        Assert.Equal("DigitalDocument", first["@type"]!.GetValue<string>());
        var cited = Assert.Single(ctx.Answerer.Answers).Citations;
        Assert.True(cited[0].Title.Length > 80 && cited[0].Passage.Length > 160, "the corpus exercises name and abstract truncation");

        // name: "Title › Section", at most 80, cut at a word; the two citations never share a name.
        var names = citations.Select(c => c!["appearance"]!["name"]!.GetValue<string>()).ToList();
        Assert.All(names, n => Assert.InRange(n.Length, 1, 80));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains(" › ", names[0], StringComparison.Ordinal);
        Assert.EndsWith("Article 9 Risk management system", names[0], StringComparison.Ordinal);
        AssertCutAtWord(names[0].Split(" › ")[0], cited[0].Title);

        // abstract: the cited sentence(s) of [1], at most 160, cut at a word with an ellipsis.
        var abstractText = first["abstract"]!.GetValue<string>();
        Assert.True(abstractText.Length <= 160);
        var replyText = reply.Text!;
        var sentenceOfOne = replyText[..replyText.IndexOf(" [1]", StringComparison.Ordinal)];
        Assert.StartsWith(abstractText.TrimEnd('…'), sentenceOfOne, StringComparison.Ordinal);
        if (abstractText.EndsWith('…'))
        {
            AssertCutAtWord(abstractText, sentenceOfOne);
        }

        // keywords: the note's topics and jurisdictions, whole, at most 3, each at most 28 (a longer topic is left out).
        var keywords = first["keywords"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        Assert.Equal(["EU AI Act", "EU"], keywords);
        Assert.Contains(cited[0].Topics, t => t.Length > 28);
        Assert.Null(citations[1]!["appearance"]!["keywords"]);

        // url when known; the full passage as an Adaptive Card for the pop-up's open view.
        Assert.Equal("https://eur-lex.europa.eu/eli/reg/2024/1689/oj", first["url"]!.GetValue<string>());
        Assert.Null(citations[1]!["appearance"]!["url"]); // "NIST AI 100-1, January 2023" is not a URL
        Assert.Equal("application/vnd.microsoft.card.adaptive", first["encodingFormat"]!.GetValue<string>());
        var card = JsonNode.Parse(first["text"]!.GetValue<string>())!.AsObject();
        Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
        Assert.StartsWith(cited[0].Passage.Trim()[..120], card["body"]![2]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Official Journal of the European Union · primary · 12 July 2024", card["body"]![1]!["text"]!.GetValue<string>());

        Assert.Equal("default", reply.Body["channelData"]!["feedbackLoop"]!["type"]!.GetValue<string>());
        Assert.Contains("[1]", reply.Text, StringComparison.Ordinal);
        Assert.Contains("[2]", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TX17_NoSeparateSourcesCard_CitationCardsParseCleanInMicrosoftsRenderer()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.Personal(CorpusQuestions.Teams.TwoSources));
        var delivered = await ctx.WaitForAnswerAsync();
        await Task.Delay(300);
        Assert.DoesNotContain(ctx.Fake.Delivered, c => c.Body["attachments"] is not null);
        var reply = Assert.Single(delivered, IsAnswer);
        var cards = reply.Body["entities"]![0]!["citation"]!.AsArray()
            .Select(c => JsonNode.Parse(c!["appearance"]!["text"]!.GetValue<string>())!.AsObject())
            .ToList();
        Assert.Equal(2, cards.Count);
        var checks = await MicrosoftAdaptiveCards.CheckAsync(cards);
        Assert.All(checks, c =>
        {
            Assert.Empty(c.Events);
            Assert.Equal("1.0", c.Version);
        });
        Assert.All(cards, c => Assert.False(string.IsNullOrWhiteSpace(c["fallbackText"]?.GetValue<string>())));
    }

    [Fact]
    public void FeedbackLoop_CurrentAndOlderForms_BothAccepted()
    {
        Assert.True(TeamsAnswerFormatter.HasFeedbackLoop(TeamsAnswerFormatter.FeedbackLoop()));
        Assert.True(TeamsAnswerFormatter.HasFeedbackLoop(new JsonObject { ["feedbackLoopEnabled"] = true }));
        Assert.True(TeamsAnswerFormatter.HasFeedbackLoop(new JsonObject { ["feedbackLoop"] = new JsonObject { ["type"] = "custom" } }));
        Assert.False(TeamsAnswerFormatter.HasFeedbackLoop(new JsonObject { ["feedbackLoopEnabled"] = false }));
        Assert.False(TeamsAnswerFormatter.HasFeedbackLoop(new JsonObject { ["feedbackLoop"] = new JsonObject { ["type"] = "bogus" } }));
        Assert.False(TeamsAnswerFormatter.HasFeedbackLoop(null));
    }

    private static void AssertCutAtWord(string shown, string full)
    {
        if (!shown.EndsWith('…'))
        {
            Assert.Equal(full, shown);
            return;
        }

        var kept = shown[..^1].TrimEnd();
        Assert.StartsWith(kept, full, StringComparison.Ordinal);
        Assert.True(full.Length > kept.Length && !char.IsLetterOrDigit(full[kept.Length]), $"'{shown}' is cut inside a word of '{full}'");
    }

    [Fact]
    public async Task TX_AnswerFails_ShortApologyNotSilence()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Faults.Fail = true;
        await ctx.PostAsync(ctx.Personal("q"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        Assert.Equal(PolicyBot.Core.Commands.BotTexts.Apology, delivered.First(IsAnswer).Text);
        Assert.Equal(1, ctx.Answerer.Calls);
        Assert.DoesNotContain(ctx.Bot.Logs.Lines, l => l.Contains("exploded", StringComparison.Ordinal) && l.StartsWith("Information", StringComparison.Ordinal));
        Assert.DoesNotContain("exploded", delivered.First(IsAnswer).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TX_GroupChatMessage_AnsweredWithMentionRemoved()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.GroupChat("what about transparency?"));
        var reply = (await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer))).First(IsAnswer);
        Assert.Equal("19:group-chat-id@thread.v2", reply.ConversationId);
        Assert.Equal("what about transparency?", ctx.Answerer.Questions.Single().Text);
    }

    [Fact]
    public async Task TX_Commands_SourcesAboutHelp_AnsweredWithoutTheEngine()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await ctx.PostAsync(ctx.Personal("sources"));
        await ctx.PostAsync(ctx.Personal("about"));
        await ctx.PostAsync(ctx.Personal("help"));
        var delivered = await ctx.Fake.WaitForAsync(d => d.Count(IsAnswer) == 3);
        Assert.Contains(delivered, c => c.Text!.Contains("EU AI Act", StringComparison.Ordinal));
        var about = Assert.Single(delivered, c => c.Text!.Contains(ctx.Engine.CorpusVersion, StringComparison.Ordinal));
        Assert.Contains(PolicyBot.Core.Commands.PrivacyNotice.Text(TimeSpan.FromDays(90)), about.Text, StringComparison.Ordinal); // one privacy wording
        Assert.DoesNotContain("improve the bot", about.Text, StringComparison.Ordinal);
        Assert.Contains(delivered, c => c.Text!.Contains("How to ask", StringComparison.Ordinal));
        Assert.Equal(0, ctx.Answerer.Calls);
    }
}
