using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Search;

namespace PolicyBot.Search.Tests.Support;

/// <summary>A corpus folder and index folder in a fresh temp directory, deleted on dispose.</summary>
internal sealed class TempCorpus : IDisposable
{
    public TempCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), "policybot-tests", Guid.NewGuid().ToString("N"));
        CorpusDir = Path.Combine(Root, "corpus");
        Directory.CreateDirectory(CorpusDir);
        IndexPath = Path.Combine(Root, "index");
    }

    public string Root { get; }

    public string CorpusDir { get; }

    public string IndexPath { get; }

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

    /// <summary>Makes a later write visible to the size+mtime check even on coarse file-system clocks.</summary>
    public void Touch(string relativePath, int secondsAhead = 5) =>
        File.SetLastWriteTimeUtc(Path.Combine(CorpusDir, relativePath), DateTime.UtcNow.AddSeconds(secondsAhead));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    /// <summary>A small policy corpus used by several tests.</summary>
    public static TempCorpus WithPolicyNotes()
    {
        var c = new TempCorpus();
        c.Write("hosting.md", """
            ---
            title: Hosting the World AI Cooperation Organisation
            source: https://example.org/hosting
            kind: note
            published: 2025-08-01
            jurisdictions: [CN, HK, SG]
            topics: [waico, hosting]
            ---
            # Hosting the World AI Cooperation Organisation

            ## Hong Kong
            Hong Kong could co-host the World Artificial Intelligence Cooperation Organisation because its common-law legal system and independent judiciary build international trust. The city also offers deep capital markets and a free port.

            ## Shanghai
            Shanghai is the front runner to host the body, with more than 1,100 core AI companies and 100,000 AI professionals. Its Zhangjiang AI Island hosts many technology firms.

            ## Singapore
            Singapore is a neutral candidate with a mature regulatory framework and the AI Verify testing toolkit.
            """);
        c.Write("models.md", """
            ---
            title: Three models of AI governance
            source: Deep Knowledge Group, Global AI Competitiveness Index
            kind: note
            topics: [governance-models]
            ---
            # Three models of AI governance

            China follows a state-led model in which central direction combines industrial policy with fast deployment.

            The United States follows an innovation-first model led by private capital and competition.

            The European Union follows a rights-based model whose AI Act puts safety and accountability first.
            """);
        c.Write("rmf.md", """
            ---
            title: NIST AI Risk Management Framework
            source: https://www.nist.gov/itl/ai-risk-management-framework
            kind: primary
            published: 2023-01-26
            ---
            # NIST AI Risk Management Framework

            The AI Risk Management Framework was released by NIST in January 2023 as a voluntary framework. Its core has four functions: Govern, Map, Measure and Manage.
            """);
        c.Write("synonyms.txt", """
            # groups of equivalent names
            Hong Kong, HK, HKSAR
            World Artificial Intelligence Cooperation Organisation, WAICO, World AI Cooperation Organisation
            AI Risk Management Framework, AI RMF, NIST RMF
            European Union, EU
            """);
        return c;
    }
}
