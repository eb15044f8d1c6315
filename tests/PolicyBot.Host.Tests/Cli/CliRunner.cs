using System.Diagnostics;
using System.Text;

namespace PolicyBot.Host.Tests.Cli;

/// <summary>Runs the real `policybot` executable (the built policybot.dll beside the tests) as a child process.</summary>
internal static class CliRunner
{
    public static string PolicybotDll => Path.Combine(AppContext.BaseDirectory, "policybot.dll");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(PolicybotDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["CI"] = "true";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The repository root (where PolicyBot.sln is), found from the test output folder.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PolicyBot.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temp working folder with a small corpus, deleted on dispose.</summary>
internal sealed class TempWorkspace : IDisposable
{
    public TempWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "policybot-cli-tests", Guid.NewGuid().ToString("N"));
        Corpus = Path.Combine(Root, "corpus");
        Directory.CreateDirectory(Corpus);
    }

    public string Root { get; }

    public string Corpus { get; }

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public TempWorkspace WithNotes()
    {
        Write("corpus/hosting.md", """
            ---
            title: Hosting the proposed AI body
            source: https://example.org/hosting
            kind: note
            topics: [hosting]
            ---
            # Hosting the proposed AI body

            ## Hong Kong
            Hong Kong could co-host the AI centre because its independent judiciary and common-law system build international trust.

            ## Shanghai
            Shanghai is the front runner, with more than 1,100 core AI companies and a large AI development fund.
            """);
        Write("corpus/rmf.md", """
            ---
            title: NIST AI Risk Management Framework
            source: NIST AI 100-1, January 2023
            kind: primary
            ---
            # NIST AI Risk Management Framework

            The AI Risk Management Framework is voluntary. Its core has four functions: Govern, Map, Measure and Manage.
            """);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
