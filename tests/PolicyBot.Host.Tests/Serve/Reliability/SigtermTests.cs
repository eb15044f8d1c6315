using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Serve.Reliability;

/// <summary><c>policybot serve</c> as a real process: ready on its port, then SIGTERM drains and exits cleanly.</summary>
public sealed class SigtermTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_Sigterm_DrainsAndExitsCleanly()
    {
        Assert.False(OperatingSystem.IsWindows(), "SIGTERM is a POSIX signal");
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        var port = Loopback.FreePort();

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = corpus.Root,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "policybot.dll"), "serve", "--teams", "--corpus", corpus.CorpusDir, "--index", corpus.IndexPath })
        {
            start.ArgumentList.Add(a);
        }

        // Teams in local mode (the explicit switch): no app id, loopback only; the salt is generated on first start.
        start.Environment["POLICYBOT_HTTP_URL"] = $"http://127.0.0.1:{port}";
        start.Environment["TEAMS_LOCAL_MODE"] = "true";
        start.Environment["TEAMS_APP_ID"] = "";
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var ready = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); !ready && DateTime.UtcNow < deadline && !child.HasExited;)
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

            Assert.True(ready, $"never ready; exited {child.HasExited}");
            Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));

            var sw = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await child.WaitForExitAsync(timeout.Token);
            sw.Stop();
            var log = await stdout + await stderr;
            output.WriteLine($"exited {child.ExitCode} {sw.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");
            Assert.Contains("Stopping: no new questions", log, StringComparison.Ordinal);
            Assert.Contains("All questions in flight finished", log, StringComparison.Ordinal);
            Assert.Contains(child.ExitCode, new[] { 0, 143 });
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }
}
