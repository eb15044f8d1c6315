using System.CommandLine;
using System.Text;
using PolicyBot.Host.Cli;

namespace PolicyBot.Host;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var root = BuildRoot();
        return await root.Parse(args).InvokeAsync();
    }

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("PolicyBot: answers AI-policy questions with cited passages from its corpus")
        {
            IndexCommand.Create(),
            AskCommand.Create(),
            CorpusCommand.Create(),
            TeamsCommand.Create(),
            DiscordCommand.Create(),
            EvalCommand.Create(),
            BenchCommand.Create(),
            ServeCommand.Create(),
            AuditCommand.Create(),
            ReportCommand.Create(),
        };
        return root;
    }
}
