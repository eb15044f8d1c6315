using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PolicyBot.Core;
using PolicyBot.Search.Corpus;
using PolicyBot.Evaluation;
using PolicyBot.Search.Index;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot bench [--beir DIR | --corpus DIR... --questions FILE] [--seconds S] [--threads T] [--scale 1,10,100] [--json]</c>:
/// index build time (cold and rebuild), then the whole answer path per question after a warm-up — p50, p99, max,
/// answers/s on one thread and on T threads, managed heap and process RSS — for each replication scale.
/// <c>policybot bench --admin [--records N] [--runs R] [--database URL] [--corpus DIR...] [--json]</c>: the admin
/// dashboard's page times over a seeded store (<see cref="AdminBenchmark"/>).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var beir = new Option<string>("--beir") { Description = "BEIR collection folder: its documents and its queries as questions" };
        var corpus = CliOptions.Corpus();
        var questions = new Option<string>("--questions") { Description = "Questions, one per line (or a Q&A regression YAML file)" };
        var seconds = new Option<double>("--seconds") { Description = "Seconds per measurement (single- and multi-threaded each)", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads for the throughput run", DefaultValueFactory = _ => Environment.ProcessorCount };
        var scale = new Option<string>("--scale") { Description = "Replication factors of the collection, e.g. 1,10,100", DefaultValueFactory = _ => "1" };
        var ranking = new Option<string>("--ranking") { Description = "Ranking option overrides, e.g. FeedbackDocuments=0" };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 3600)
            {
                r.AddError("--seconds must be in (0, 3600]");
            }
        });
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 256)
            {
                r.AddError("--threads must be between 1 and 256");
            }
        });
        var admin = new Option<bool>("--admin") { Description = "Benchmark the /admin dashboard's pages over a store seeded with --records audit records" };
        var records = new Option<int>("--records") { Description = "With --admin: audit records to seed (over 90 days)", DefaultValueFactory = _ => 100_000 };
        var runs = new Option<int>("--runs") { Description = "With --admin: views per page after the warm-up", DefaultValueFactory = _ => 30 };
        var database = new Option<string?>("--database") { Description = "With --admin: a scratch PostgreSQL database (URL or Npgsql string) to seed instead of SQLite in a temp folder; must hold no audit records; emptied afterwards" };
        records.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 100 or > 10_000_000)
            {
                r.AddError("--records must be between 100 and 10000000");
            }
        });
        runs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 5 or > 10_000)
            {
                r.AddError("--runs must be between 5 and 10000");
            }
        });
        var json = CliOptions.Json();
        var command = new Command("bench", "Benchmark index build and the whole answer path, or (--admin) the dashboard's pages") { beir, corpus, questions, seconds, threads, scale, ranking, admin, records, runs, database, json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(admin))
            {
                if (r.GetValue(beir) is not null || r.GetValue(questions) is not null)
                {
                    r.AddError("--admin takes no --beir or --questions (its questions are generated)");
                }

                return;
            }

            if (r.GetValue(database) is not null)
            {
                r.AddError("--database needs --admin");
            }

            var hasBeir = r.GetValue(beir) is not null;
            var hasCorpus = (r.GetValue(corpus) ?? []).Length > 0;
            if (hasBeir == hasCorpus)
            {
                r.AddError("give --beir DIR, or --corpus DIR... with --questions FILE");
            }
            else if (hasCorpus && r.GetValue(questions) is null)
            {
                r.AddError("--corpus needs --questions FILE");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(admin))
            {
                return await RunAdminAsync(parse.GetValue(records), parse.GetValue(runs), parse.GetValue(database), parse.GetValue(corpus), parse.GetValue(json), ct);
            }

            var scales = new List<int>();
            foreach (var s in (parse.GetValue(scale) ?? "1").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) || k < 1 || k > 10000)
                {
                    await Console.Error.WriteLineAsync($"--scale: '{s}' is not a replication factor (1-10000)");
                    return 2;
                }

                scales.Add(k);
            }

            Search.Retrieval.RankingOptions rankingOptions;
            List<SourceDocument> documents;
            List<string> asked;
            try
            {
                rankingOptions = RankingOverrides.Apply(Search.Retrieval.RankingOptions.Default, parse.GetValue(ranking));
                if (parse.GetValue(beir) is { } dir)
                {
                    var collection = BeirCollection.Load(dir);
                    documents = collection.Documents.Select(d => EvaluationDocuments.Create(d.Id, d.Title, d.Text)).ToList();
                    asked = collection.Queries.Select(q => q.Text).ToList();
                }
                else
                {
                    documents = ReadCorpus(parse.GetValue(corpus)!);
                    asked = ReadQuestions(parse.GetValue(questions)!);
                }
            }
            catch (Exception ex) when (ex is IOException or FormatException or JsonException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"Cannot read the benchmark input: {ex.Message}");
                return 2;
            }

            if (documents.Count == 0 || asked.Count == 0)
            {
                await Console.Error.WriteLineAsync("Nothing to benchmark: no documents or no questions.");
                return 2;
            }

            using var loggers = CliOptions.CliLoggerFactory();
            var settings = new BenchmarkSettings
            {
                Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
                Threads = parse.GetValue(threads),
                Ranking = rankingOptions,
                Semantic = CliOptions.SemanticSetting(CliOptions.Settings.Settings.Index.Semantic, CliOptions.Settings.Settings.Index.Fusion),
            };
            var asJson = parse.GetValue(json);
            if (!asJson)
            {
                Console.Out.WriteLine($"{documents.Count} documents, {asked.Count} questions, {settings.Duration.TotalSeconds:F0} s per run, {settings.Threads} threads, {Environment.ProcessorCount} cores");
                Console.Out.WriteLine("scale  passages  index_ms  rebuild_ms     p50_ms     p99_ms     max_ms      qps  qps_threads  answered  heap_mb  rss_mb");
            }

            foreach (var k in scales)
            {
                ct.ThrowIfCancellationRequested();
                var r = AnswerBenchmark.Run(documents, k, asked, settings, loggers, ct);
                Console.Out.WriteLine(asJson ? Json(r) : Text(r));
                if (!asJson)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"       per-question best of {r.Answers / Math.Max(1, r.Questions)} passes: p50 {r.BestP50Milliseconds:F3} ms, p99 {r.BestP99Milliseconds:F3} ms"));
                    foreach (var (q, ms) in r.Slowest)
                    {
                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"       slowest {ms,8:F3} ms  {(q.Length > 80 ? q[..80] + "…" : q)}"));
                    }
                }

                Console.Out.Flush();
            }

            return 0;
        });
        return command;
    }

    private static async Task<int> RunAdminAsync(int records, int runs, string? database, string[]? corpus, bool json, CancellationToken ct)
    {
        var settings = new AdminBenchmarkSettings
        {
            Records = records,
            Runs = runs,
            Database = string.IsNullOrWhiteSpace(database) ? null : database,
            Corpus = corpus is { Length: > 0 } ? corpus : CliOptions.Settings.Settings.Index.Corpus.ToList(),
        };
        try
        {
            var result = await AdminBenchmark.RunAsync(settings, Console.Error, ct);
            await Console.Out.WriteLineAsync(json ? AdminBenchmark.Json(result) : AdminBenchmark.Text(result));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FormatException or Npgsql.NpgsqlException or ServeConfigurationException)
        {
            // The message names what to fix; a connection string is never part of it.
            await Console.Error.WriteLineAsync("bench --admin: " + ex.Message);
            return 2;
        }
    }

    private static List<SourceDocument> ReadCorpus(string[] dirs)
    {
        var (files, _) = CorpusScanner.Scan(dirs);
        var docs = new List<SourceDocument>();
        foreach (var f in files)
        {
            try
            {
                docs.Add(DocumentReader.Read(f.FullPath, f.RelativePath));
            }
            catch (DocumentReadException)
            {
                // `policybot index` reports unreadable files; the benchmark measures the readable ones.
            }
        }

        return docs;
    }

    private static List<string> ReadQuestions(string path)
    {
        var ext = Path.GetExtension(path);
        if (ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return QaRegression.Load(path).Select(c => c.Question).ToList();
        }

        return File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    private static string Text(BenchmarkResult r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{r.Scale,5}  {r.Passages,8}  {r.IndexMilliseconds,8:F0}  {r.RebuildMilliseconds,10:F0}  {r.P50Milliseconds,9:F3}  {r.P99Milliseconds,9:F3}  {r.MaxMilliseconds,9:F3}  {r.Qps,7:F0}  {r.QpsThreads,11:F0}  {r.AnsweredShare,8:P0}  {r.HeapAfterMb,7:F1}  {r.RssAfterMb,6:F1}");

    private static string Json(BenchmarkResult r)
        => JsonSerializer.Serialize(CliJson.BenchJson.From(r), CliJsonContext.Relaxed.BenchJson);
}
