using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;
using PolicyBot.Teams.Translation;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.Connector;

/// <summary>TO (Connector responses) and TT (outbound token) scenarios (conformance-scenarios.md §7).</summary>
public sealed class TeamsOutboundTests
{
    private static bool IsAnswer(ConnectorCall c) => c.Type == "message" && c.Body["attachments"] is null;

    private static Activity Message(string conversationId, string text = "hello") => new()
    {
        Type = "message",
        From = new ChannelAccount { Id = TeamsTestContext.BotId },
        Recipient = new ChannelAccount { Id = "29:user" },
        Conversation = new ConversationAccount { Id = conversationId },
        Text = text,
    };

    private static ConnectorClient Connector(TeamsTestContext ctx)
    {
        ctx.Bot.Services.GetRequiredService<TrustedServiceUrls>().Trust(ctx.Fake.ServiceUrl);
        return ctx.Bot.Services.GetRequiredService<ConnectorClient>();
    }

    [Fact]
    public async Task TO01_ServiceUrlWithAndWithoutTrailingSlash_SamePath()
    {
        var a = ConnectorClient.BuildActivitiesUri("https://smba.trafficmanager.net/amer/", "19:x@thread.tacv2;messageid=1", "1");
        var b = ConnectorClient.BuildActivitiesUri("https://smba.trafficmanager.net/amer", "19:x@thread.tacv2;messageid=1", "1");
        Assert.Equal(a, b);
        Assert.Equal("/amer/v3/conversations/19%3Ax%40thread.tacv2%3Bmessageid%3D1/activities/1", a.AbsolutePath);

        await using var ctx = await TeamsTestContext.StartAsync();
        var noSlash = ctx.Fake.ServiceUrl.TrimEnd('/');
        var inbound = Activities.Message(noSlash, "personal", "a:conv", "q", id: "42");
        await ctx.PostAsync(inbound, ctx.ValidSpec(noSlash));
        await ctx.PostAsync(ctx.Personal("q", id: "42"));
        var answers = (await ctx.Fake.WaitForAsync(d => d.Count(IsAnswer) == 2)).Where(IsAnswer).ToList();
        Assert.Equal("/amer/v3/conversations/a%3Aconv/activities/42", answers.Single(c => c.ConversationId == "a:conv").RawTarget);
        Assert.Equal("/amer/v3/conversations/a%3A1Xpersonal-conv/activities/42", answers.Single(c => c.ConversationId != "a:conv").RawTarget);
    }

    [Fact]
    public async Task TO02_429WithRetryAfter_WaitsThenRetries()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(429, "Throttled", RetryAfter: "1"));
        var id = await Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None);
        Assert.NotNull(id);
        var calls = ctx.Fake.Calls;
        Assert.Equal([429, 200], calls.Select(c => c.Status).ToArray());
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(900), "Retry-After honoured (lower bound only)");
    }

    [Fact]
    public async Task TO02_429WithoutHeader_BackoffRetries_Bounded()
    {
        await using var ctx = await TeamsTestContext.StartAsync(s => s.Tune = o => o.MaxSendAttempts = 3);
        ctx.Fake.Script(new ScriptedResponse(429, "Throttled"), new ScriptedResponse(429, "Throttled"));
        Assert.NotNull(await Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None));
        Assert.Equal([429, 429, 200], ctx.Fake.Calls.Select(c => c.Status).ToArray());

        ctx.Fake.Script(Enumerable.Repeat(new ScriptedResponse(429, "Throttled"), 10).ToArray());
        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c2", null, Message("a:c2"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.Status);
        Assert.Equal(3, ctx.Fake.Calls.Count(c => c.ConversationId == "a:c2"));
    }

    [Fact]
    public async Task TO02_RetryAfterBeyondCap_GivesUpInsteadOfRetryingEarly()
    {
        await using var ctx = await TeamsTestContext.StartAsync(s => s.Tune = o => o.RetryMaxDelay = TimeSpan.FromSeconds(5));
        ctx.Fake.Script(new ScriptedResponse(429, "Throttled", RetryAfter: "120"));
        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.Status);
        Assert.Single(ctx.Fake.Calls);
    }

    [Theory]
    [InlineData(412)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task TO03_TransientStatus_RetriedUntilSuccess(int status)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(status), new ScriptedResponse(status));
        await ctx.PostAsync(ctx.Personal("q"));
        await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        Assert.Equal([status, status, 200], ctx.Fake.Calls.Where(c => c.Type == "message" && c.Body["attachments"] is null).Select(c => c.Status).ToArray());
    }

    [Theory]
    [InlineData(403, "ConversationBlockedByUser")]
    [InlineData(403, "BotNotInConversationRoster")]
    [InlineData(403, "BotDisabledByAdmin")]
    [InlineData(404, "ConversationNotFound")]
    [InlineData(400, "BadArgument")]
    public async Task TO04_PermanentErrors_NotRetried(int status, string code)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(status, code));
        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", "1", Message("a:c1"), CancellationToken.None));
        Assert.Equal(status, (int)ex.Status);
        Assert.Equal(code, ex.ErrorCode);
        Assert.False(string.IsNullOrEmpty(ex.OperationId));
        Assert.Single(ctx.Fake.Calls);
        Assert.Contains(ctx.Bot.Logs.Lines, l => l.Contains(ex.OperationId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TO04_BlockedConversation_AnswerAttemptedOnce_NoApologyLoop()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(403, "ConversationBlockedByUser"));
        await ctx.PostAsync(ctx.Personal("q"));
        await ctx.Fake.WaitForAsync(_ => ctx.Fake.Calls.Any(c => c.Status == 403));
        await Task.Delay(400);
        Assert.Single(ctx.Fake.Calls, c => c.Type == "message");
    }

    [Fact]
    public async Task TO05_413_SplitAndResend_AllPartsOnceInOrder()
    {
        await using var ctx = await TeamsTestContext.StartAsync(configureFake: f => f.MaxTextChars = 300);
        await ctx.PostAsync(ctx.Personal(CorpusQuestions.Teams.LongAnswer));
        var delivered = await ctx.WaitForAnswerAsync(TimeSpan.FromSeconds(20));
        var longText = Assert.Single(ctx.Answerer.Answers).Text;
        Assert.True(longText.Length > 1200, $"answer length {longText.Length}");
        var parts = delivered.Where(IsAnswer).Select(c => c.Text!).ToList();
        Assert.True(parts.Count >= 4, $"parts {parts.Count}");
        Assert.All(parts, p => Assert.True(p.Length <= 300));
        Assert.Equal(longText, string.Join(' ', parts));
        Assert.Equal(parts.Count, parts.Distinct().Count());
        Assert.Contains(ctx.Fake.Calls, c => c.Status == 413);
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task TO05_OversizedAnswer_SplitBeforeSending_UnderConfiguredLimit()
    {
        await using var ctx = await TeamsTestContext.StartAsync(s => s.Tune = o => o.MaxMessageChars = 500);
        await ctx.PostAsync(ctx.Personal(CorpusQuestions.Teams.LongAnswer));
        var delivered = await ctx.WaitForAnswerAsync(TimeSpan.FromSeconds(20));
        var longText = Assert.Single(ctx.Answerer.Answers).Text;
        Assert.True(longText.Length > 2000, $"answer length {longText.Length}");
        Assert.Equal(longText, string.Join(' ', delivered.Where(IsAnswer).Select(c => c.Text)));
        var parts = delivered.Where(IsAnswer).ToList();
        Assert.True(parts.Count >= 5);
        Assert.All(parts, p => Assert.True(p.Text!.Length <= 500));
        Assert.DoesNotContain(ctx.Fake.Calls, c => c.Status == 413);
        Assert.All(parts, p => Assert.Equal(1, p.Body["entities"]!.AsArray().Count(e => e!["type"]!.GetValue<string>() == "https://schema.org/Message")));
        Assert.Empty(ctx.Fake.ShapeErrors);
    }

    [Fact]
    public async Task TO06_TwentyPartAnswer_PacedBelowConversationLimit_No429()
    {
        // The real answer (three long verbatim sentences) at 120 characters a message: at least twenty parts.
        const int maxChars = 120;
        await using var ctx = await TeamsTestContext.StartAsync(s => s.Tune = o => o.MaxMessageChars = maxChars, f => f.EnforceRateLimit = true);
        await ctx.PostAsync(ctx.Personal(CorpusQuestions.Teams.LongAnswer));
        var delivered = await ctx.WaitForAnswerAsync(TimeSpan.FromSeconds(30));
        var expected = TextSplitter.SplitTrimmed(Assert.Single(ctx.Answerer.Answers).Text, maxChars).Count;
        Assert.True(expected >= 20, $"parts {expected}");
        Assert.Equal(expected, delivered.Count(IsAnswer));
        Assert.DoesNotContain(ctx.Fake.Calls, c => c.Status == 429);
    }

    [Fact]
    public async Task TO07_BearerNeverSentToUntrustedServiceUrl()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await using var evil = await FakeBotFramework.StartAsync(ctx.Clock);
        var connector = ctx.Bot.Services.GetRequiredService<ConnectorClient>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => connector.SendAsync(evil.ServiceUrl, "a:c", null, Message("a:c"), CancellationToken.None));
        Assert.Empty(evil.Calls);

        // A validated activity trusts only its own serviceUrl.
        await ctx.PostAsync(ctx.Personal("q"));
        await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        await Assert.ThrowsAsync<InvalidOperationException>(() => connector.SendAsync(evil.ServiceUrl, "a:c", null, Message("a:c"), CancellationToken.None));
        Assert.Empty(evil.Calls);
    }

    [Theory]
    [InlineData("MultiTenant", null, "botframework.com")]
    [InlineData("SingleTenant", BotHost.TenantId, BotHost.TenantId)]
    public async Task TT01_FirstSend_ClientCredentialsRequest_ExactFormAndTenant(string appType, string? tenant, string expectedTenant)
    {
        await using var ctx = await TeamsTestContext.StartAsync(s =>
        {
            s.AppType = appType;
            s.TenantId = tenant;
        });
        await ctx.PostAsync(ctx.Personal("q"));
        await ctx.Fake.WaitForAsync(d => d.Any(IsAnswer));
        var (path, form) = Assert.Single(ctx.Fake.TokenRequests);
        Assert.Equal(expectedTenant, path);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal(BotHost.AppId, form["client_id"]);
        Assert.Equal(BotHost.AppPassword, form["client_secret"]);
        Assert.Equal("https://api.botframework.com/.default", form["scope"]);
        // MSAL adds its client_info flag to every token request (as botbuilder's MSAL credentials send it); nothing else.
        Assert.Equal("client_id,client_info,client_secret,grant_type,scope", string.Join(",", form.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void TT01_DefaultTokenEndpoints_PerAppType()
    {
        Assert.Equal("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token", new TeamsOptions().ResolveTokenEndpoint().AbsoluteUri);
        var single = new TeamsOptions { AppType = "SingleTenant", TenantId = BotHost.TenantId };
        Assert.Equal($"https://login.microsoftonline.com/{BotHost.TenantId}/oauth2/v2.0/token", single.ResolveTokenEndpoint().AbsoluteUri);
        Assert.Equal("https://login.botframework.com/v1/.well-known/openidconfiguration", new TeamsOptions().OpenIdMetadataUrl);
        Assert.Equal("http://0.0.0.0:3978", new TeamsOptions().HttpUrl);
    }

    [Fact]
    public async Task TT02_TokenCachedAcross50Sends()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var connector = Connector(ctx);
        for (var i = 0; i < 50; i++)
        {
            await connector.SendAsync(ctx.Fake.ServiceUrl, $"a:conv-{i}", null, Message($"a:conv-{i}"), CancellationToken.None);
        }

        Assert.Equal(50, ctx.Fake.Delivered.Count);
        Assert.Equal(1, ctx.Fake.TokenCalls);
    }

    [Fact]
    public async Task TT03_ShortLivedToken_RefreshedBeforeExpiry_NeverSentExpired()
    {
        // MSAL renews a cached token once fewer than 5 minutes of its life are left (its own clock): a 10 s token is
        // therefore never reused, and a 10-minute one is. The fake checks expiry on the virtual clock, moved past
        // the first token's end: the Connector must never see an expired token.
        await using var ctx = await TeamsTestContext.StartAsync(configureFake: f => f.TokenExpiresIn = 10);
        var connector = Connector(ctx);
        await connector.SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None);
        ctx.Clock.Advance(TimeSpan.FromSeconds(30)); // past the first token's expiry
        await connector.SendAsync(ctx.Fake.ServiceUrl, "a:c2", null, Message("a:c2"), CancellationToken.None);
        Assert.Equal(2, ctx.Fake.TokenCalls);
        Assert.False(ctx.Fake.SawExpiredToken);
        Assert.All(ctx.Fake.Calls, c => Assert.Equal(200, c.Status));

        await using var longer = await TeamsTestContext.StartAsync(configureFake: f => f.TokenExpiresIn = 600);
        var reused = Connector(longer);
        await reused.SendAsync(longer.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None);
        await reused.SendAsync(longer.Fake.ServiceUrl, "a:c2", null, Message("a:c2"), CancellationToken.None);
        Assert.Equal(1, longer.Fake.TokenCalls);
    }

    [Fact]
    public async Task TT04_Connector401Once_ForceRefreshAndRetryOnce()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(401, "BotNotRegistered"));
        Assert.NotNull(await Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None));
        Assert.Equal(2, ctx.Fake.TokenCalls);
        Assert.Equal([401, 200], ctx.Fake.Calls.Select(c => c.Status).ToArray());
    }

    [Fact]
    public async Task TT04_Connector401Twice_StopsAndReports()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        ctx.Fake.Script(new ScriptedResponse(401, "BotNotRegistered"), new ScriptedResponse(401, "BotNotRegistered"));
        var ex = await Assert.ThrowsAsync<ConnectorException>(() => Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.Status);
        Assert.Equal(2, ctx.Fake.TokenCalls);
        Assert.Equal(2, ctx.Fake.Calls.Count);
    }

    [Fact]
    public async Task TT05_TokenEndpointInvalidClient_ClearErrorNoLoop()
    {
        await using var ctx = await TeamsTestContext.StartAsync(configureFake: f => f.TokenFailure = (401, "invalid_client"));
        var ex = await Assert.ThrowsAsync<BotTokenException>(() => Connector(ctx).SendAsync(ctx.Fake.ServiceUrl, "a:c1", null, Message("a:c1"), CancellationToken.None));
        Assert.Contains("TeamsOptions.AppPassword", ex.Message, StringComparison.Ordinal); // the host names it TEAMS_APP_PASSWORD
        Assert.Equal("invalid_client", ex.ErrorCode);
        Assert.Equal(1, ctx.Fake.TokenCalls);
        Assert.Empty(ctx.Fake.Calls);

        // Through the adapter: bounded token calls (typing, answer, apology), no tight loop.
        await ctx.PostAsync(ctx.Personal("q"));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (ctx.Fake.TokenCalls < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(800); // room for a loop to show itself
        Assert.InRange(ctx.Fake.TokenCalls, 2, 6);
        Assert.Equal(1, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TT06_TwentyConcurrentColdSends_SingleTokenCall()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var connector = Connector(ctx);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => connector.SendAsync(ctx.Fake.ServiceUrl, $"a:c{i}", null, Message($"a:c{i}"), CancellationToken.None)));
        Assert.Equal(1, ctx.Fake.TokenCalls);
        Assert.Equal(20, ctx.Fake.Delivered.Count);
    }

    [Fact]
    public async Task TT07_SecretsAndTokensNeverLogged()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var inboundToken = TokenMinter.Mint(ctx.ValidSpec());
        await ctx.Bot.PostAsync(ctx.Personal("q"), "Bearer " + inboundToken);
        ctx.Fake.Script(new ScriptedResponse(401, "BotNotRegistered"));
        await ctx.Bot.PostAsync(ctx.Personal("q2"), "Bearer " + inboundToken);
        await ctx.Bot.PostAsync(ctx.Personal("q3"), "Bearer " + inboundToken[..^4] + "AAAA");
        ctx.Faults.Fail = true;
        await ctx.PostAsync(ctx.Personal("q4"));
        await ctx.Fake.WaitForAsync(d => d.Count(IsAnswer) >= 3);
        var issued = ctx.Fake.Calls.Select(c => c.Authorization).OfType<string>().Select(a => a["Bearer ".Length..]).Distinct().ToList();
        Assert.NotEmpty(issued);
        var lines = ctx.Bot.Logs.Lines.ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            Assert.DoesNotContain(BotHost.AppPassword, line, StringComparison.Ordinal);
            Assert.DoesNotContain(inboundToken.Split('.')[2], line, StringComparison.Ordinal);
            Assert.DoesNotContain("fake-aad-", line, StringComparison.Ordinal);
        }

        Assert.All(ctx.Fake.DeliveredMessages, c => Assert.DoesNotContain(BotHost.AppPassword, c.Body.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Formatter_SplitText_KeepsMarkersWholeAndRespectsLimit()
    {
        var text = string.Join(' ', Enumerable.Range(1, 50).Select(i => $"Word{i} [{(i % 9) + 1}]"));
        var parts = TextSplitter.SplitTrimmed(text, 40);
        Assert.All(parts, p => Assert.True(p.Length <= 40));
        Assert.Equal(text, string.Join(' ', parts));
        var hard = TextSplitter.SplitTrimmed(new string('x', 37) + "[12]" + new string('y', 30), 40);
        Assert.Equal(new string('x', 37), hard[0]);
        Assert.StartsWith("[12]", hard[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Formatter_MessageEntity_PositionsMatchMarkers_UnknownMarkersDropped()
    {
        var real = (await TestCorpus.SharedAsync(CorpusSet.Teams)).Answer(new Question(CorpusQuestions.Teams.TwoSources, new QuestionContext("teams")));
        Assert.Equal(2, real.Citations.Count);
        var answer = real with { Text = "A. [1] B. [7] C. [2] again [1]" };
        var text = TeamsAnswerFormatter.KeepKnownMarkers(answer.Text, answer.Citations);
        Assert.DoesNotContain("[7]", text, StringComparison.Ordinal);
        var entity = TeamsAnswerFormatter.MessageEntity(text, answer.Citations);
        Assert.Equal([1, 2], entity["citation"]!.AsArray().Select(c => c!["position"]!.GetValue<int>()).ToArray());
        Assert.Null(FakeBotFramework.ValidateShape(
            new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "message",
                ["from"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "28:x" },
                ["recipient"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "29:y" },
                ["conversation"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "c" },
                ["text"] = text,
                ["entities"] = new System.Text.Json.Nodes.JsonArray(entity),
            },
            "c"));
        Assert.Equal(80, TextCut.Truncate(new string('a', 200), 80).Length);
        Assert.Equal(AnswerOutcome.Answered, answer.Outcome);
    }

    [Fact]
    public void Adapter_StripBotMention_UsesEntityIdsNotNames()
    {
        var activity = new Activity
        {
            Text = "<at>Policy Bot</at> what does <at>Adele</at> think?",
            Recipient = new ChannelAccount { Id = "28:bot" },
            Entities =
            [
                new System.Text.Json.Nodes.JsonObject { ["type"] = "Mention", ["mentioned"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "28:bot" }, ["text"] = "<at>Policy Bot</at>" },
                new System.Text.Json.Nodes.JsonObject { ["type"] = "mention", ["mentioned"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "29:adele" }, ["text"] = "<at>Adele</at>" },
            ],
        };
        var (text, mentioned) = ActivityTranslator.StripBotMention(activity);
        Assert.True(mentioned);
        Assert.Equal("what does Adele think?", text);

        activity.Recipient.Id = "28:other-bot";
        Assert.False(ActivityTranslator.StripBotMention(activity).BotMentioned);
    }
}
