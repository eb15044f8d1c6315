using System.Net;
using Microsoft.Extensions.Options;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.Endpoint;

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
    public async Task TD04_NoAppIdWithoutTheLocalModeSwitch_RefusesToStartNamingWhatToSet()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TeamsTestContext.StartAsync(s =>
        {
            s.AppId = null;
            s.LocalMode = false;
        }));
        var failure = Assert.Single(ex.Failures);
        Assert.Contains("{AppId}", failure, StringComparison.Ordinal);
        Assert.Contains("{AppPassword}", failure, StringComparison.Ordinal);
        Assert.Contains("{LocalMode}=true", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void TD04_LocalMode_NonLoopbackUrlOrWithAppId_Invalid_AndSecretsNotEchoed()
    {
        var open = new TeamsOptions { LocalMode = true, HttpUrl = "http://0.0.0.0:3978" };
        Assert.Contains(open.Validate(), e => e.Contains("loopback", StringComparison.Ordinal));
        Assert.Empty(new TeamsOptions { LocalMode = true, HttpUrl = "http://127.0.0.1:3978" }.Validate());
        Assert.Contains(new TeamsOptions { LocalMode = true, AppId = "x", AppPassword = "y" }.Validate(), e => e.Contains("{LocalMode}", StringComparison.Ordinal));
        var noSecret = new TeamsOptions { AppId = "x" };
        Assert.Contains(noSecret.Validate(), e => e.Contains("{AppPassword}", StringComparison.Ordinal));
        var single = new TeamsOptions { AppId = "x", AppPassword = "hunter2", AppType = "SingleTenant" };
        var errors = single.Validate();
        Assert.Contains(errors, e => e.Contains("{TenantId}", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("hunter2", StringComparison.Ordinal));
        Assert.Contains(new TeamsOptions { AppId = "x", AppPassword = "y", AppType = "Both" }.Validate(), e => e.Contains("{AppType}", StringComparison.Ordinal));
    }
}
