using System.Text;
using PolicyBot.Host.Configuration;

namespace PolicyBot.Host.Tests.Configuration;

/// <summary>docs/operations.md and .env.example list exactly the key table's settings, once each.</summary>
public sealed class SettingsDocsTests
{
    private const string Begin = "<!-- settings table: generated from src/PolicyBot.Host/Configuration/SettingKeys.cs; SettingsDocsTests keeps it in step -->";
    private const string End = "<!-- end of settings table -->";

    [Fact]
    public void OperationsDoc_SettingsTable_IsTheKeyTable()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "operations.md"));
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/operations.md lacks the settings table markers");

        var table = doc[(start + Begin.Length)..end].Trim().ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("POLICYBOT_UPDATE_DOCS") == "1" && table != ExpectedTable())
        {
            // Regenerates the table from the key table: POLICYBOT_UPDATE_DOCS=1 dotnet test tests/PolicyBot.Host.Tests --filter SettingsDocs
            var path = Path.Combine(RepoRoot(), "docs", "operations.md");
            File.WriteAllText(path, doc[..(start + Begin.Length)] + "\n" + ExpectedTable() + "\n" + doc[end..]);
            return;
        }

        Assert.Equal(ExpectedTable(), table);
    }

    [Fact]
    public void EnvExample_ListsEverySettingOnceWithoutValues()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoRoot(), ".env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        Assert.Equal(SettingKeys.All.Select(s => s.Name + "=").Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    internal static string ExpectedTable()
    {
        var builder = new StringBuilder();
        builder.Append("| Setting | Default | Read by | Meaning |\n| --- | --- | --- | --- |\n");
        foreach (var s in SettingKeys.All)
        {
            builder.Append(CultureInvariant($"| `{s.Name}` | {Cell(s.Default)} | {s.Verbs} | {Cell(s.Meaning)}{(s.IsSecret ? " Secret: never printed." : "")} |\n"));
        }

        return builder.ToString().TrimEnd();
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PolicyBot.sln not found above " + AppContext.BaseDirectory);
    }
}
