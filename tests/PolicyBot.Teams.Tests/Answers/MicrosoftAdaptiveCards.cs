using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PolicyBot.Teams.Tests.Answers;

/// <summary>What Microsoft's renderer library said about one card.</summary>
/// <param name="Version">The card's declared version.</param>
/// <param name="Events">Parse and validation events at that version (warnings and errors; none is the pass).</param>
/// <param name="LowerVersionEvents">Events when parsed as the next lower version (&gt; 0: the version is the lowest that fits); null for 1.0.</param>
internal sealed record CardCheck(string Version, IReadOnlyList<string> Events, int? LowerVersionEvents);

/// <summary>
/// Runs cards through Microsoft's <c>adaptivecards</c> JavaScript library under node (tests/PolicyBot.Teams.Tests/AdaptiveCards,
/// installed by .ci/adaptivecards.sh — run here when missing). Fails the test when node or the library cannot be had:
/// a check that cannot run must never pass.
/// </summary>
internal static class MicrosoftAdaptiveCards
{
    public static async Task<IReadOnlyList<CardCheck>> CheckAsync(IReadOnlyList<JsonObject> cards)
    {
        var root = RepositoryRoot();
        var folder = Path.Combine(root, "tests", "PolicyBot.Teams.Tests", "AdaptiveCards");
        if (!File.Exists(Path.Combine(folder, "node_modules", "adaptivecards", "dist", "adaptivecards.js")))
        {
            var (installCode, _, installError) = await RunAsync("bash", [Path.Combine(root, ".ci", "adaptivecards.sh")], root);
            Assert.True(installCode == 0, $".ci/adaptivecards.sh failed ({installCode}): {installError}");
        }

        var input = Path.Combine(Path.GetTempPath(), $"policybot-cards-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(input, new JsonArray([.. cards.Select(c => c.DeepClone())]).ToJsonString());
        try
        {
            var (code, output, error) = await RunAsync("node", [Path.Combine(folder, "check.js"), input], folder);
            Assert.True(code == 0, $"node check.js failed ({code}): {error}");
            var results = JsonNode.Parse(output)!.AsArray();
            Assert.Equal(cards.Count, results.Count);
            return results.Select(r => new CardCheck(
                r!["version"]!.GetValue<string>(),
                r["events"]!.AsArray().Select(e => e!.GetValue<string>()).ToList(),
                r["lowerVersionEvents"] is JsonValue v ? v.GetValue<int>() : null)).ToList();
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string file, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"'{file}' is not installed, so the Adaptive Card check cannot run ({ex.Message}); install node 20+ and run .ci/adaptivecards.sh");
            throw;
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir!.FullName;
    }
}
