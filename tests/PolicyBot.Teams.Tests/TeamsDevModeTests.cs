using System.Net;
using Microsoft.Extensions.Options;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests;

/// <summary>TD scenarios (conformance-scenarios.md §8): dev mode is decided by configuration only.</summary>
public sealed class TeamsDevModeTests
{
    private static Task<TeamsTestContext> StartDevAsync() =>
        TeamsTestContext.StartAsync(s => s.AppId = null, f => f.RequireBearer = false);

    [Fact]
    public async Task TD01_NoAppId_NoHeader_AcceptedAndRepliesWithoutAuthorization()
    {
        await using var ctx = await StartDevAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await ctx.Bot.PostAsync(ctx.Personal("q"), authorization: null)).StatusCode);
        var delivered = await ctx.Fake.WaitForAsync(d => d.Any(c => c.Type == "message"));
        Assert.All(ctx.Fake.Calls, c => Assert.Null(c.Authorization));
        Assert.Empty(ctx.Fake.ShapeErrors);
        Assert.Equal(0, ctx.Fake.TokenCalls);
        Assert.Equal(1, ctx.Answerer.Calls);
        Assert.Contains(ctx.Bot.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("auth is DISABLED", StringComparison.Ordinal));
        Assert.NotEmpty(delivered);
    }

    [Theory]
    [InlineData("Bearer garbage")]
    [InlineData("valid")]
    public async Task TD02_NoAppId_WithAuthorizationHeader_Returns401(string header)
    {
        await using var ctx = await StartDevAsync();
        var value = header == "valid" ? ctx.Bearer() : header;
        Assert.Equal(HttpStatusCode.Unauthorized, (await ctx.Bot.PostAsync(ctx.Personal("q"), value)).StatusCode);
        await Task.Delay(150);
        Assert.Equal(0, ctx.Answerer.Calls);
        Assert.Empty(ctx.Fake.Calls);
    }

    [Fact]
    public async Task TD03_AppIdConfigured_NoHeader_EvenEmulatorChannelOnLocalhost_Returns401()
    {
        await using var ctx = await TeamsTestContext.StartAsync();
        var activity = ctx.Personal("q");
        activity["channelId"] = "emulator";
        activity["serviceUrl"] = "http://localhost:53000/";
        Assert.Equal(HttpStatusCode.Unauthorized, (await ctx.Bot.PostAsync(activity, authorization: null)).StatusCode);
        await Task.Delay(150);
        Assert.Equal(0, ctx.Answerer.Calls);
    }

    [Fact]
    public async Task TD04_ProductionWithoutAppId_RefusesToStart()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TeamsTestContext.StartAsync(s =>
        {
            s.AppId = null;
            s.Environment = "Production";
        }));
        Assert.Contains(ex.Failures, f => f.Contains("Production", StringComparison.Ordinal));
    }

    [Fact]
    public void TD04_NoAppId_NonLoopbackUrl_Invalid_AndSecretsNotEchoed()
    {
        var open = new TeamsOptions { HttpUrl = "http://0.0.0.0:3978" };
        Assert.Contains(open.Validate(isProduction: false), e => e.Contains("loopback", StringComparison.Ordinal));
        Assert.Empty(new TeamsOptions { HttpUrl = "http://127.0.0.1:3978" }.Validate(isProduction: false));
        var noSecret = new TeamsOptions { AppId = "x" };
        Assert.Contains(noSecret.Validate(isProduction: true), e => e.Contains("TEAMS_APP_PASSWORD", StringComparison.Ordinal));
        var single = new TeamsOptions { AppId = "x", AppPassword = "hunter2", AppType = "SingleTenant" };
        var errors = single.Validate(isProduction: true);
        Assert.Contains(errors, e => e.Contains("TEAMS_TENANT_ID", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("hunter2", StringComparison.Ordinal));
        Assert.Contains(new TeamsOptions { AppId = "x", AppPassword = "y", AppType = "Both" }.Validate(true), e => e.Contains("TEAMS_APP_TYPE", StringComparison.Ordinal));
    }
}
