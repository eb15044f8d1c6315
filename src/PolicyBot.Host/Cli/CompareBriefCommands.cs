using System.CommandLine;
using System.Text;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Search;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot compare TOPIC [--jurisdictions "EU, US, China"]</c> and <c>policybot brief TOPIC</c>: the console side of
/// the Discord and Teams commands, on the same Core composers.
/// </summary>
internal static class CompareBriefCommands
{
    public static Command Compare()
    {
        var corpus = CliOptions.Corpus();
        var index = CliOptions.Index();
        var jurisdictions = new Option<string?>("--jurisdictions") { Description = "Jurisdictions to compare, e.g. \"EU, US, China\" (default: those named in the topic, else every one the corpus covers)" };
        var topic = new Argument<string[]>("topic") { Description = "What to compare, e.g. \"How do China, the US and the EU regulate AI?\"", Arity = ArgumentArity.OneOrMore };
        var command = new Command("compare", "Compare jurisdictions on a topic: one cited line each, \"not covered\" where the corpus lacks one") { corpus, index, jurisdictions, topic };
        command.SetAction(async (parse, ct) =>
        {
            var text = string.Join(' ', parse.GetValue(topic) ?? []);
            var list = JurisdictionNames.ParseList(parse.GetValue(jurisdictions));
            if (list.Count == 0 && ComparisonComposer.Detect(text) is { } detected)
            {
                (text, list) = (detected.Topic, detected.Jurisdictions);
            }

            using var loggers = CliOptions.CliLoggerFactory();
            await using var engine = await PolicyBotEngine.OpenAsync(CliOptions.EngineOptions(parse.GetValue(corpus), parse.GetValue(index)), loggers, ct);
            var comparison = await new ComparisonComposer(engine, engine).CompareAsync(text, list, QuestionContext.Cli, ct);
            var sb = new StringBuilder().AppendLine(comparison.Title);
            var width = comparison.Rows.Count == 0 ? 0 : comparison.Rows.Max(r => r.Jurisdiction.Name.Length);
            foreach (var row in comparison.Rows)
            {
                sb.Append("  ").Append(row.Jurisdiction.Name.PadRight(width)).Append("  ").AppendLine(row.Covered ? row.Line : row.NotCoveredText);
            }

            Sources(sb, comparison.Citations);
            Console.WriteLine(sb.ToString().TrimEnd());
            return comparison.AnyCovered ? 0 : 1;
        });
        return command;
    }

    public static Command Brief()
    {
        var corpus = CliOptions.Corpus();
        var index = CliOptions.Index();
        var topic = new Argument<string[]>("topic") { Description = "e.g. \"the EU AI Act\"", Arity = ArgumentArity.OneOrMore };
        var command = new Command("brief", "A one-screen brief: what it is, status and key dates, what to do, each bullet a cited extract") { corpus, index, topic };
        command.SetAction(async (parse, ct) =>
        {
            using var loggers = CliOptions.CliLoggerFactory();
            await using var engine = await PolicyBotEngine.OpenAsync(CliOptions.EngineOptions(parse.GetValue(corpus), parse.GetValue(index)), loggers, ct);
            var brief = await new BriefComposer(engine).BriefAsync(string.Join(' ', parse.GetValue(topic) ?? []), QuestionContext.Cli, ct);
            if (brief.Empty)
            {
                Console.WriteLine("I can't brief on that from the corpus: no passage covers it.");
                return 1;
            }

            var sb = new StringBuilder("Brief: ").AppendLine(brief.Topic);
            foreach (var section in brief.Sections.Where(s => s.Bullets.Count > 0))
            {
                sb.AppendLine().AppendLine(section.Heading);
                foreach (var bullet in section.Bullets)
                {
                    sb.Append("  - ").AppendLine(bullet.Text);
                }
            }

            sb.AppendLine().AppendLine(brief.AsOfText);
            Sources(sb, brief.Citations);
            Console.WriteLine(sb.ToString().TrimEnd());
            return 0;
        });
        return command;
    }

    private static void Sources(StringBuilder sb, IReadOnlyList<Citation> citations)
    {
        if (citations.Count == 0)
        {
            return;
        }

        sb.AppendLine().AppendLine("Sources:");
        foreach (var c in citations)
        {
            sb.Append('[').Append(c.Rank).Append("] ").Append(CitationHeading.Compose(c, 120));
            if (c.SourceLineText is { Length: > 0 } line)
            {
                sb.Append(" — ").Append(line);
            }

            if (c.SourceUrl is { } url)
            {
                sb.Append(" — ").Append(url.AbsoluteUri);
            }

            sb.AppendLine();
        }
    }
}
