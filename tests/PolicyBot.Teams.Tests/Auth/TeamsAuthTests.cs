using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.Auth;

/// <summary>TA scenarios (conformance-scenarios.md §5): every negative case is 401, no handler call, no outbound call.</summary>
public sealed class TeamsAuthTests
{
    private static async Task AssertRejectedAsync(TeamsTestContext ctx, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        await Task.Delay(150);
        Assert.Equal(0, ctx.Answerer.Calls);
        Assert.Empty(ctx.Fake.Calls);
        Assert.Equal(0, ctx.Fake.TokenCalls);
    }

    private static async Task AssertAcceptedAsync(TeamsTestContext ctx, HttpResponseMessage response, int expectedAnswers = 1)
    {
        Assert.True(response.IsSuccessStatusCode, $"status {(int)response.StatusCode}");
        await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message" && c.Body["attachments"] is null) >= expectedAnswers);
        Assert.Equal(expectedAnswers, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TA01_ValidConnectorToken_Accepted_HandlerInvokedOnce()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var response = await ctx.PostAsync(ctx.Personal("what is a high-risk system?"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await AssertAcceptedAsync(ctx, response);
    }

    [Fact]
    public async Task TA02_MissingAuthorizationHeader_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await AssertRejectedAsync(ctx, await ctx.Bot.PostAsync(ctx.Personal("q"), authorization: null));
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    [InlineData("Bearer")]
    [InlineData("bearer {token}")]
    [InlineData("Bearer {token} {token}")]
    [InlineData("Bearer {token},{token}")]
    public async Task TA03_NotASingleBearerToken_Returns401(string header)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var token = TokenMinter.Mint(ctx.ValidSpec());
        await AssertRejectedAsync(ctx, await ctx.Bot.PostAsync(ctx.Personal("q"), header.Replace("{token}", token, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TA03_TwoAuthorizationHeaders_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent(ctx.Personal("q").ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", ctx.Bearer());
        request.Headers.TryAddWithoutValidation("Authorization", ctx.Bearer());
        await AssertRejectedAsync(ctx, await ctx.Bot.Http.SendAsync(request));
    }

    [Theory]
    [InlineData("https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/")]
    [InlineData("https://api.botframework.com/")]
    [InlineData("https://evil.example.com")]
    public async Task TA04_WrongIssuer_Returns401(string issuer)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Claims["iss"] = issuer;
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("https://api.botframework.com")]
    [InlineData(null)]
    public async Task TA05_WrongOrMissingAudience_Returns401(string? audience)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        if (audience is null)
        {
            spec.Claims.Remove("aud");
        }
        else
        {
            spec.Claims["aud"] = audience;
        }

        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Theory]
    [InlineData("exp", -6, false)]
    [InlineData("exp", -4, true)]
    [InlineData("nbf", 6, false)]
    [InlineData("nbf", 4, true)]
    public async Task TA06_LifetimeWithFiveMinuteSkew(string claim, int minutesFromNow, bool accepted)
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Claims[claim] = ctx.Clock.GetUtcNow().AddMinutes(minutesFromNow).ToUnixTimeSeconds();
        if (claim == "exp")
        {
            spec.Claims["nbf"] = ctx.Clock.GetUtcNow().AddMinutes(-30).ToUnixTimeSeconds();
            spec.Claims["iat"] = ctx.Clock.GetUtcNow().AddMinutes(-30).ToUnixTimeSeconds();
        }

        var response = await ctx.PostAsync(ctx.Personal("q"), spec);
        if (accepted)
        {
            await AssertAcceptedAsync(ctx, response);
        }
        else
        {
            await AssertRejectedAsync(ctx, response);
        }
    }

    [Fact]
    public async Task TA06_ExpiryMissing_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Claims.Remove("exp");
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Fact]
    public async Task TA06_ClockMovesPastExpiryPlusSkew_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        ctx.Clock.Advance(TimeSpan.FromMinutes(66));
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Fact]
    public async Task TA07_AlgNone_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Alg = "none";
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Fact]
    public async Task TA07_Hs256WithPublicKeyAsSecret_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Alg = "HS256";
        spec.HmacSecret = ctx.Key.Rsa.ExportSubjectPublicKeyInfo();
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
        var spec2 = ctx.ValidSpec();
        spec2.Alg = "HS256";
        spec2.HmacSecret = System.Text.Encoding.UTF8.GetBytes(ctx.Key.ToJwk()["n"]!.GetValue<string>());
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec2));
    }

    [Fact]
    public async Task TA07_CorrectKidSignedByDifferentKey_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        using var other = new FakeSigningKey("key-1", ["msteams"], material: "key-1-impostor");
        var spec = ctx.ValidSpec();
        spec.SignWith = other;
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Fact]
    public async Task TA07_PayloadTamperedAfterSigning_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        // Signed for another app, then the audience is rewritten to ours: only the signature can catch it.
        spec.Claims["aud"] = "00000000-0000-0000-0000-000000000000";
        spec.TamperAfterSigning = claims => claims["aud"] = BotHost.AppId;
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));

        // Control: the same token untampered but signed for our app id is accepted.
        await AssertAcceptedAsync(ctx, await ctx.PostAsync(ctx.Personal("q")));
    }

    [Fact]
    public async Task TA08_UnknownKid_RefreshesOnceThen401_BurstIsThrottled()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("warm-up"))).StatusCode);
        await ctx.Fake.WaitForAsync(d => d.Any(c => c.Type == "message"));
        var fetchesBefore = ctx.Fake.KeysFetches;

        using var rogue = new FakeSigningKey("unknown-kid", ["msteams"]);
        var spec = ctx.ValidSpec();
        spec.Kid = rogue.Kid;
        spec.SignWith = rogue;
        var token = "Bearer " + TokenMinter.Mint(spec);
        var first = await ctx.Bot.PostAsync(ctx.Personal("q"), token);
        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(fetchesBefore + 1, ctx.Fake.KeysFetches);

        var burst = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => ctx.Bot.PostAsync(ctx.Personal("q"), token)));
        Assert.All(burst, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.InRange(ctx.Fake.KeysFetches, fetchesBefore + 1, fetchesBefore + 2);
        Assert.Equal(1, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TA09_KeyRotation_NewKeyAcceptedAfterOneRefresh_ThenCached()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("warm-up"))).StatusCode);
        var fetches = ctx.Fake.KeysFetches;
        var k2 = ctx.Fake.AddKey("key-2", "msteams");
        var spec = ctx.Minter.Connector(k2, BotHost.AppId, ctx.Fake.ServiceUrl);
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("rotated"), spec)).StatusCode);
        Assert.Equal(fetches + 1, ctx.Fake.KeysFetches);
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.PostAsync(ctx.Personal("again"), ctx.Minter.Connector(k2, BotHost.AppId, ctx.Fake.ServiceUrl))).StatusCode);
        Assert.Equal(fetches + 1, ctx.Fake.KeysFetches);
        await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message" && c.Body["attachments"] is null) >= 3);
    }

    [Fact]
    public async Task TA10_ServiceUrlClaimDifferentHost_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), ctx.ValidSpec("https://smba.trafficmanager.net/amer/")));
    }

    [Fact]
    public async Task TA10_ServiceUrlClaimMissing_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Claims.Remove("serviceurl");
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Fact]
    public async Task TA10_ServiceUrlDiffersOnlyInCase_Accepted()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var response = await ctx.PostAsync(ctx.Personal("q"), ctx.ValidSpec(ctx.Fake.ServiceUrl.ToUpperInvariant().Replace("HTTP://", "http://", StringComparison.Ordinal)));
        await AssertAcceptedAsync(ctx, response);
    }

    [Fact]
    public async Task TA11_KeyEndorsedForOtherChannelOnly_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var webchatOnly = ctx.Fake.AddKey("key-webchat", "webchat");
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), ctx.Minter.Connector(webchatOnly, BotHost.AppId, ctx.Fake.ServiceUrl)));
    }

    [Fact]
    public async Task TA12_KeyWithoutEndorsements_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var bare = ctx.Fake.AddKey("key-bare", null);
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), ctx.Minter.Connector(bare, BotHost.AppId, ctx.Fake.ServiceUrl)));
    }

    [Fact]
    public async Task TA13_MetadataDown_FailsClosed_ThenRecovers()
    {
        await using var ctx = await TeamsTestContext.StartAsync(configureFake: f => f.IssuerDown = true);
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q")));
        var fetches = ctx.Fake.MetadataFetches;
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q")));
        Assert.Equal(fetches, ctx.Fake.MetadataFetches); // retry is throttled, not per request

        ctx.Fake.IssuerDown = false;
        ctx.Clock.Advance(TimeSpan.FromSeconds(11));
        await AssertAcceptedAsync(ctx, await ctx.PostAsync(ctx.Personal("q")));
    }

    [Fact]
    public async Task TA14_SingleTenantBot_OtherTenant_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync(s =>
        {
            s.AppType = "SingleTenant";
            s.TenantId = "11111111-2222-3333-4444-555555555555";
        });
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q")));
    }

    [Fact]
    public async Task TA15_SameTokenForDifferentActivities_BothAccepted()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var bearer = ctx.Bearer();
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.Bot.PostAsync(ctx.Personal("one"), bearer)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.Bot.PostAsync(ctx.Personal("two"), bearer)).StatusCode);
        await ctx.Fake.WaitForAsync(d => d.Count(c => c.Type == "message" && c.Body["attachments"] is null) >= 2);
        Assert.Equal(2, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TA16_EmulatorStyleToken_NotSupported_Returns401()
    {
        // Design: this bot does not accept Emulator tokens (use auth-disabled dev mode for the Emulator).
        await using var ctx = await TeamsTestContext.StartAsync();
        var spec = ctx.ValidSpec();
        spec.Claims["iss"] = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/";
        spec.Claims["ver"] = "1.0";
        spec.Claims["appid"] = BotHost.AppId;
        await AssertRejectedAsync(ctx, await ctx.PostAsync(ctx.Personal("q"), spec));
    }

    [Fact]
    public async Task TA_UnsignedGarbageToken_Returns401_AndCountsAuthFailure()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        long failures = 0;
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == TeamsMetrics.MeterName && i.Name == "policybot.teams.auth_failures")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref failures, v));
        listener.Start();
        await AssertRejectedAsync(ctx, await ctx.Bot.PostAsync(ctx.Personal("q"), "Bearer not.a.jwt"));
        Assert.True(Interlocked.Read(ref failures) >= 1);
    }
}
