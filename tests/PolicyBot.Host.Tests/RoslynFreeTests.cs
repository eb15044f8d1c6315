using System.Text.Json;
using PolicyBot.Host.Tests.Cli;

namespace PolicyBot.Host.Tests;

public class RoslynFreeTests
{
    [Fact]
    public void Policybot_RuntimeDependencies_HaveNoMicrosoftCodeAnalysis()
    {
        var deps = Path.Combine(AppContext.BaseDirectory, "policybot.deps.json");
        Assert.True(File.Exists(deps), "policybot.deps.json beside the tests");
        using var doc = JsonDocument.Parse(File.ReadAllText(deps));
        var libraries = doc.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.NotEmpty(libraries);
        Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.CodeAnalysis*.dll"));
    }

    [Fact]
    public void HostBuildOutput_HasNoMicrosoftCodeAnalysis()
    {
        var root = CliRunner.RepositoryRoot();
        var hostDeps = Directory.GetFiles(Path.Combine(root, "src", "PolicyBot.Host", "bin"), "policybot.deps.json", SearchOption.AllDirectories);
        Assert.NotEmpty(hostDeps);
        foreach (var file in hostDeps)
        {
            Assert.DoesNotContain("Microsoft.CodeAnalysis", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
