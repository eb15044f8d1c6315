using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Search;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>A corpus folder and index file in a fresh temp directory with a few answerable documents; deleted on dispose.</summary>
internal sealed class TestCorpus : IDisposable
{
    public const string FineQuestion = "What is the maximum fine under the Widget Safety Act?";
    public const string RegistryQuestion = "When must providers register their widgets in the registry?";

    public TestCorpus(bool seed = true)
    {
        Root = Path.Combine(Path.GetTempPath(), "policybot-host-tests", Guid.NewGuid().ToString("N"));
        CorpusDir = Path.Combine(Root, "corpus");
        Directory.CreateDirectory(CorpusDir);
        IndexPath = Path.Combine(Root, "index");
        if (seed)
        {
            Write("widget-safety-act.md", Document(
                "The Widget Safety Act",
                "https://example.org/widget-safety-act",
                ("Penalties", "The maximum fine under the Widget Safety Act is seven percent of a provider's worldwide annual turnover. Smaller breaches are fined up to one percent."),
                ("Registry", "Providers must register their widgets in the public widget registry before placing them on the market.")));
            Write("gadget-guidance.md", Document(
                "Gadget Transparency Guidance",
                "https://example.org/gadget-guidance",
                ("Labelling", "Gadget makers label synthetic audio with a visible watermark and a machine-readable disclosure."),
                ("Oversight", "The Gadget Office supervises transparency duties and may request documentation from any gadget maker.")));
        }
    }

    public string Root { get; }

    public string CorpusDir { get; }

    public string IndexPath { get; }

    public static string Document(string title, string source, params (string Heading, string Body)[] sections)
    {
        var sb = new StringBuilder();
        sb.Append("---\n").Append(CultureInfo.InvariantCulture, $"title: \"{title}\"\n").Append(CultureInfo.InvariantCulture, $"source: \"{source}\"\n")
            .Append("published: 2025-01-01\njurisdictions: [\"XX\"]\ntopics: [\"widgets\"]\n---\n\n");
        sb.Append("# ").Append(title).Append("\n\n");
        foreach (var (heading, body) in sections)
        {
            sb.Append("## ").Append(heading).Append("\n\n").Append(body).Append("\n\n");
        }

        return sb.ToString();
    }

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(CorpusDir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public string WriteBytes(string relativePath, byte[] content)
    {
        var path = Path.Combine(CorpusDir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public PolicyBotOptions Options()
    {
        var o = new PolicyBotOptions { IndexPath = IndexPath };
        o.CorpusDirectories.Add(CorpusDir);
        return o;
    }

    public Task<PolicyBotEngine> OpenAsync() => PolicyBotEngine.OpenAsync(Options(), NullLoggerFactory.Instance, CancellationToken.None);

    public void Dispose()
    {
        try
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held by a finishing background task; the temp folder is cleaned by the OS.
        }
    }
}
