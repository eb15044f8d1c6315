using System.CommandLine;
using PolicyBot.Core;
using PolicyBot.Core.Conversation;
using PolicyBot.Host.Serve;
using PolicyBot.Search;
using PolicyBot.Core.Text;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot ask [--corpus DIR]... [--index FILE] [--top N] [--json] [QUESTION | -]</c>: answers one question, or
/// one per line of standard input (with <c>-</c>, or no question and piped input). The index is built or
/// refreshed first when missing or stale.
/// </summary>
internal static class AskCommand
{
    public static Command Create()
    {
        var corpus = CliOptions.Corpus();
        var index = CliOptions.Index();
        var json = CliOptions.Json();
        var explain = new Option<bool>("--explain") { Description = "Also print how the question was parsed and why the top passages ranked (to standard error)" };
        var top = new Option<int>("--top") { Description = "At most N citations (1-10)", DefaultValueFactory = _ => 3 };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10)
            {
                r.AddError("--top must be between 1 and 10");
            }
        });
        var question = new Argument<string[]>("question") { Description = "The question, or - to read one per line from standard input", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("ask", "Answer a question with cited passages") { corpus, index, top, json, explain, question };
        command.SetAction(async (parse, ct) =>
        {
            var words = parse.GetValue(question) ?? [];
            var text = string.Join(' ', words);
            var batch = text == "-" || (words.Length == 0 && Console.IsInputRedirected);
            if (!batch && words.Length == 0)
            {
                await Console.Error.WriteLineAsync("Ask a question: policybot ask \"Why should Hong Kong co-host the AI centre?\" (or pipe questions, one per line, with -)");
                return 2;
            }

            using var loggers = CliOptions.CliLoggerFactory();
            var options = CliOptions.EngineOptions(parse.GetValue(corpus), parse.GetValue(index));
            await using var engine = await PolicyBotEngine.OpenAsync(options, loggers, ct);
            if (engine.View.PassageCount == 0)
            {
                await Console.Error.WriteLineAsync($"The corpus ({string.Join(", ", engine.Options.CorpusDirectories.DefaultIfEmpty(PolicyBotOptions.DefaultCorpus))}) has no documents to answer from; run `policybot index` to see why.");
            }

            var asJson = parse.GetValue(json);
            var maxCitations = parse.GetValue(top);
            var explainQuery = parse.GetValue(explain);
            if (!batch)
            {
                Write(engine.Answer(new Question(text, QuestionContext.Cli) { MaxCitations = maxCitations }), asJson);
                if (explainQuery)
                {
                    Explain(engine, text);
                }

                return 0;
            }

            using var stdin = new StreamReader(Console.OpenStandardInput(), System.Text.Encoding.UTF8);
            while (await stdin.ReadLineAsync(ct) is { } line)
            {
                Answer answer;
                try
                {
                    answer = engine.Answer(new Question(line, QuestionContext.Cli) { MaxCitations = maxCitations });
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The engine does not throw on input; this keeps a batch going if it ever does.
                    answer = new Answer { Id = "", Question = line, Outcome = AnswerOutcome.Refused, Text = "Internal error answering this question.", Reason = ex.GetType().Name };
                }

                Write(answer, asJson);
                if (explainQuery)
                {
                    Explain(engine, line);
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>The explain path: concepts with their IDF, and each top passage's coverage and term contributions.</summary>
    private static void Explain(PolicyBotEngine engine, string text)
    {
        var explanation = AnswerExplanation.Build(engine, text);
        var err = Console.Error;
        err.WriteLine($"explain: {explanation.Parsed}");
        foreach (var hit in explanation.Hits)
        {
            err.WriteLine($"  {hit.Score:F3} coverage {hit.Coverage:F2}  {hit.Passage[..Math.Min(70, hit.Passage.Length)].ReplaceLineEndings(" ")}");
            err.WriteLine("      " + string.Join("  ", hit.Terms.Select(e => $"{e.Term}={e.Contribution:F3}")) + $"  (sum {hit.Terms.Sum(e => e.Contribution):F3})");
        }
    }

    private static void Write(Answer answer, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(AnswerOutput.Json(answer));
        }
        else
        {
            Console.Out.WriteLine(AnswerOutput.Text(answer));
            Console.Out.WriteLine();
        }

        Console.Out.Flush();
    }
}
