using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>
/// A new operator's first start, as a real <c>policybot</c> process with nothing configured but the platform
/// credentials (plus, offline, where the platform lives: the loopback fakes): no salt to invent, no environment name.
/// </summary>
public sealed class FirstRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServeDiscord_OnlyTokenAndApplicationId_ConnectsAndGeneratesTheSaltOnce()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var discord = await FakeDiscord.StartAsync(TimeProvider.System);
        var port = Loopback.FreePort();
        var (log, ready) = await RunUntilReadyAsync(corpus, port, "--discord", new()
        {
            ["DISCORD_TOKEN"] = FakeDiscord.Token,
            ["DISCORD_APPLICATION_ID"] = FakeDiscord.ApplicationId,
            ["DISCORD_API_BASE_URL"] = discord.ApiBaseUrl,
            ["POLICYBOT_HTTP_URL"] = $"http://127.0.0.1:{port}",
        });

        Assert.True(ready, log);
        Assert.Contains("no user-id salt was configured", log, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDiscord.Token, log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(corpus.IndexPath)!, "index.state.db")));

        // Second start: the stored salt is reused, nothing is generated again.
        await using var again = await FakeDiscord.StartAsync(TimeProvider.System);
        var (secondLog, secondReady) = await RunUntilReadyAsync(corpus, port, "--discord", new()
        {
            ["DISCORD_TOKEN"] = FakeDiscord.Token,
            ["DISCORD_APPLICATION_ID"] = FakeDiscord.ApplicationId,
            ["DISCORD_API_BASE_URL"] = again.ApiBaseUrl,
            ["POLICYBOT_HTTP_URL"] = $"http://127.0.0.1:{port}",
        });
        Assert.True(secondReady, secondLog);
        Assert.DoesNotContain("no user-id salt was configured", secondLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeTeams_OnlyTheTeamsCredentials_Starts()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var fake = await FakeBotFramework.StartAsync(new ManualClock());
        var port = Loopback.FreePort();
        var (log, ready) = await RunUntilReadyAsync(corpus, port, "--teams", new()
        {
            ["TEAMS_APP_ID"] = TeamsCredentials.AppId,
            ["TEAMS_APP_PASSWORD"] = TeamsCredentials.AppPassword,
            ["TEAMS_OPENID_METADATA_URL"] = fake.MetadataUrl,
            ["TEAMS_TOKEN_ENDPOINT"] = fake.TokenEndpointTemplate,
            ["POLICYBOT_HTTP_URL"] = $"http://127.0.0.1:{port}",
        });

        Assert.True(ready, log);
        Assert.DoesNotContain(TeamsCredentials.AppPassword, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeTeams_NoAppIdNoSwitch_ExitsTwoNamingWhatToSet()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        var port = Loopback.FreePort();
        var (log, ready) = await RunUntilReadyAsync(corpus, port, "--teams", new()
        {
            ["POLICYBOT_HTTP_URL"] = $"http://127.0.0.1:{port}",
        }, expectExit: 2);

        Assert.False(ready);
        Assert.Contains("TEAMS_APP_ID is not set", log, StringComparison.Ordinal);
        Assert.Contains("TEAMS_APP_PASSWORD", log, StringComparison.Ordinal);
        Assert.Contains("TEAMS_LOCAL_MODE=true", log, StringComparison.Ordinal);
    }

    private async Task<(string Log, bool Ready)> RunUntilReadyAsync(TestCorpus corpus, int port, string platform, Dictionary<string, string> environment, int? expectExit = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = corpus.Root,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "policybot.dll"), "serve", platform, "--corpus", corpus.CorpusDir, "--index", corpus.IndexPath })
        {
            start.ArgumentList.Add(a);
        }

        // Nothing inherited: only what the test names.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("POLICYBOT_", StringComparison.Ordinal) || k.StartsWith("DISCORD_", StringComparison.Ordinal)
            || k.StartsWith("TEAMS_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal) || k == "ASPNETCORE_ENVIRONMENT" || k == "DOTNET_ENVIRONMENT").ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var ready = false;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            // Waits on the child's own signals (ready, or exited), not on a duration: how long a loaded machine takes to
            // start a process does not decide the result. The limit only keeps a hung child from hanging the run.
            for (var limit = DateTime.UtcNow.AddMinutes(5); !ready && !child.HasExited && DateTime.UtcNow < limit;)
            {
                try
                {
                    using var response = await http.GetAsync("/readyz");
                    ready = response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                if (!ready)
                {
                    await Task.Delay(50);
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await child.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        var log = await stdout + await stderr;
        output.WriteLine(log);
        if (expectExit is { } code)
        {
            Assert.Equal(code, child.ExitCode);
        }

        return (log, ready);
    }
}
