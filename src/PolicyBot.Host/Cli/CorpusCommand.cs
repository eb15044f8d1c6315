using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyBot.Core;
using PolicyBot.Search.Corpus;
using Spectre.Console;
using PolicyBot.Search;

namespace PolicyBot.Host.Cli;

/// <summary><c>policybot corpus add|list|validate|remove</c>: the maintainers' docs-as-code workflow.</summary>
internal static class CorpusCommand
{
    public static Command Create()
    {
        var command = new Command("corpus", "Maintain the corpus: add, list, validate and remove documents");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Option<string> CorpusDir() => new("--corpus")
    {
        Description = "Corpus folder (default ./corpus)",
        DefaultValueFactory = _ => PolicyBotOptions.DefaultCorpus,
    };

    private static async Task<PolicyBotEngine> RefreshAsync(string corpus, string index, CancellationToken ct)
    {
        using var loggers = CliOptions.CliLoggerFactory();
        return await PolicyBotEngine.OpenAsync(CliOptions.EngineOptions([corpus], index), loggers, ct);
    }

    private static Command Add()
    {
        var corpus = CorpusDir();
        var index = CliOptions.Index();
        var file = new Argument<string>("file") { Description = "The .md, .txt or .html file to add" };
        var title = new Option<string?>("--title") { Description = "Document title" };
        var source = new Option<string?>("--source") { Description = "URL or citation of the source" };
        var authors = new Option<string?>("--authors") { Description = "Authors, comma-separated" };
        var published = new Option<string?>("--published") { Description = "Publication date (yyyy-mm-dd)" };
        var jurisdiction = new Option<string[]>("--jurisdiction") { Description = "Jurisdiction code from schema.yaml (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var topic = new Option<string[]>("--topic") { Description = "Topic slug from schema.yaml (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var kind = new Option<string?>("--kind") { Description = "article | note | primary" };
        var command = new Command("add", "Normalise a file into the corpus as Markdown with complete front matter, then refresh the index")
        {
            corpus, index, file, title, source, authors, published, jurisdiction, topic, kind,
        };
        command.SetAction(async (parse, ct) =>
        {
            var corpusDir = parse.GetValue(corpus)!;
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"error: {path} does not exist");
                return 2;
            }

            if (!Directory.Exists(corpusDir))
            {
                Directory.CreateDirectory(corpusDir);
            }

            var supplied = new ImportMetadata
            {
                Title = parse.GetValue(title),
                Source = parse.GetValue(source),
                Authors = (parse.GetValue(authors) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Published = parse.GetValue(published),
                Jurisdictions = parse.GetValue(jurisdiction) ?? [],
                Topics = parse.GetValue(topic) ?? [],
                Kind = parse.GetValue(kind),
            };

            (string FileName, string Markdown, DocumentMetadata Metadata) prepared;
            while (true)
            {
                try
                {
                    prepared = CorpusImporter.Prepare(path, corpusDir, supplied);
                    break;
                }
                catch (ImportException ex) when (ex.MissingFields.Count > 0 && IsInteractive())
                {
                    // In a terminal, ask for what is missing.
                    foreach (var field in ex.MissingFields)
                    {
                        var value = AnsiConsole.Ask<string>($"{field}:");
                        supplied = field switch
                        {
                            "title" => supplied with { Title = value },
                            "source" => supplied with { Source = value },
                            _ => supplied with { Kind = value },
                        };
                    }
                }
                catch (ImportException ex)
                {
                    await Console.Error.WriteLineAsync($"error: {ex.Message}");
                    return 2;
                }
            }

            var target = Path.Combine(corpusDir, prepared.FileName);
            await File.WriteAllTextAsync(target, prepared.Markdown, new System.Text.UTF8Encoding(false), ct);
            Console.WriteLine($"Added {target} (\"{prepared.Metadata.Title}\")");
            await using var engine = await RefreshAsync(corpusDir, parse.GetValue(index)!, ct);
            IndexCommand.Print(engine.LastReport, engine.IndexFolder, Console.Out);
            return 0;
        });
        return command;
    }

    private static bool IsInteractive() =>
        !Console.IsInputRedirected && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    private static Command List()
    {
        var corpus = CorpusDir();
        var index = CliOptions.Index();
        var json = CliOptions.Json();
        var command = new Command("list", "List the corpus documents: title, kind, jurisdictions, published, passages, last indexed") { corpus, index, json };
        command.SetAction(async (parse, ct) =>
        {
            await using var engine = await RefreshAsync(parse.GetValue(corpus)!, parse.GetValue(index)!, ct);
            var docs = engine.Documents.OrderBy(d => d.Path, StringComparer.Ordinal).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(docs, CliJsonContext.Relaxed.ListCorpusDocumentInfo));
                return 0;
            }

            var table = new Table().AddColumns("Title", "Kind", "Jurisdictions", "Published", "Passages", "Last indexed");
            foreach (var d in docs)
            {
                table.AddRow(
                    Markup.Escape(d.Title),
                    Markup.Escape(d.Kind),
                    Markup.Escape(string.Join(", ", d.Jurisdictions)),
                    Markup.Escape(d.Published ?? ""),
                    d.Passages.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    d.LastIndexed.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            Console.WriteLine($"{docs.Count} documents, corpus version {engine.CorpusVersion}");
            return 0;
        });
        return command;
    }

    private static Command Validate()
    {
        var corpus = CorpusDir();
        var command = new Command("validate", "Check every corpus file (front matter, schema values, dates, duplicates, size, synonyms); non-zero exit on any problem") { corpus };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(corpus)!;
            var problems = CorpusValidator.Validate(dir);
            foreach (var p in problems)
            {
                Console.WriteLine($"{Path.Combine(dir, p.File)}{(p.Line is { } l ? $":{l}" : "")}: {p.Message}");
            }

            Console.WriteLine(problems.Count == 0 ? $"corpus {dir}: OK" : $"corpus {dir}: {problems.Count} problem(s)");
            return problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Remove()
    {
        var corpus = CorpusDir();
        var index = CliOptions.Index();
        var path = new Argument<string>("path") { Description = "The document to remove (corpus-relative or a path inside the corpus folder)" };
        var command = new Command("remove", "Remove a document file and its passages from the index") { corpus, index, path };
        command.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(corpus)!);
            var given = parse.GetValue(path)!;
            var full = Path.GetFullPath(File.Exists(given) ? given : Path.Combine(dir, given));
            if (!full.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync($"error: {given} is not inside the corpus folder {dir}");
                return 2;
            }

            if (!File.Exists(full))
            {
                await Console.Error.WriteLineAsync($"error: {given} is not in the corpus");
                return 2;
            }

            File.Delete(full);
            Console.WriteLine($"Removed {Path.GetRelativePath(dir, full)}");
            await using var engine = await RefreshAsync(dir, parse.GetValue(index)!, ct);
            IndexCommand.Print(engine.LastReport, engine.IndexFolder, Console.Out);
            return 0;
        });
        return command;
    }
}
