using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PolicyBot.Core;
using PolicyBot.Evaluation;
using PolicyBot.Search;

namespace PolicyBot.Host.Cli;

/// <summary>
/// <c>policybot eval --beir DIR [--top 100] [--ranker engine|lucene-bm25] [--run FILE] [--json]</c>: ranking quality on a
/// BEIR-format test collection (nDCG@10, MAP@100, R@100, P@10, MRR@10, query latency, index build time).
/// <c>policybot eval --qa FILE [--corpus DIR]... [--index FILE] [--json]</c>: the Q&amp;A regression set through the
/// whole answer path (hit@1, hit@3, abstention accuracy, each failure).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var beir = new Option<string>("--beir") { Description = "BEIR collection folder (corpus.jsonl, queries.jsonl, qrels.tsv)" };
        var qa = new Option<string>("--qa") { Description = "Q&A regression file (YAML list of {question, document, phrase[, type, fact, previous]} or {question, abstain: true[, type]})" };
        var corpus = CliOptions.Corpus();
        var index = CliOptions.Index();
        var json = CliOptions.Json();
        var top = new Option<int>("--top") { Description = "Documents ranked per query (default 100)", DefaultValueFactory = _ => 100 };
        var run = new Option<string>("--run") { Description = "Write a TREC run file" };
        var ranker = new Option<string>("--ranker") { Description = "engine (default) or lucene-bm25 (stock Lucene BM25 over one field, the reference)", DefaultValueFactory = _ => "engine" };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10000)
            {
                r.AddError("--top must be between 1 and 10000");
            }
        });
        ranker.AcceptOnlyFromAmong("engine", "lucene-bm25");
        var ranking = new Option<string>("--ranking") { Description = "Ranking option overrides, e.g. K1=0.9,B=0.4,FeedbackDocuments=0" };
        var command = new Command("eval", "Measure ranking quality (--beir) or the Q&A regression set (--qa)") { beir, qa, corpus, index, top, run, ranker, ranking, json };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(beir) is null) == (r.GetValue(qa) is null))
            {
                r.AddError("give exactly one of --beir DIR or --qa FILE");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            RankingOptionsOrError(parse.GetValue(ranking), out var rankingOptions, out var error);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync(error);
                return 2;
            }

            using var loggers = CliOptions.CliLoggerFactory();
            if (parse.GetValue(beir) is { } dir)
            {
                BeirCollection collection;
                try
                {
                    collection = BeirCollection.Load(dir);
                }
                catch (Exception ex) when (ex is IOException or FormatException or JsonException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"Cannot read the collection: {ex.Message}");
                    return 2;
                }

                var which = parse.GetValue(ranker) == "lucene-bm25" ? EvaluationRanker.LuceneBm25 : EvaluationRanker.Engine;
                var semantic = CliOptions.SemanticSetting(CliOptions.Settings.Settings.Index.Semantic, CliOptions.Settings.Settings.Index.Fusion);
                var result = BeirEvaluation.Run(collection, which, rankingOptions!, parse.GetValue(top), parse.GetValue(run), loggers, ct, semantic);
                Console.Out.WriteLine(parse.GetValue(json) ? BeirJson(result) : BeirText(result));
                return 0;
            }

            List<QaCase> cases;
            try
            {
                cases = QaRegression.Load(parse.GetValue(qa)!);
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"Cannot read the Q&A file: {ex.Message}");
                return 2;
            }

            var options = CliOptions.EngineOptions(parse.GetValue(corpus), parse.GetValue(index));
            options.Ranking = rankingOptions!;
            await using var engine = await PolicyBotEngine.OpenAsync(options, loggers, ct);
            var report = QaRegression.Run(engine.Answer, cases);
            Console.Out.WriteLine(parse.GetValue(json) ? QaJson(report) : QaText(report));
            return report.Failures.Any() ? 1 : 0;
        });
        return command;
    }

    private static void RankingOptionsOrError(string? spec, out Search.Retrieval.RankingOptions? options, out string? error)
    {
        try
        {
            options = RankingOverrides.Apply(Search.Retrieval.RankingOptions.Default, spec);
            error = null;
        }
        catch (FormatException ex)
        {
            options = null;
            error = ex.Message;
        }
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string Ms(double v) => v.ToString("F3", CultureInfo.InvariantCulture);

    private static string BeirText(EvaluationResult r) => string.Join(Environment.NewLine,
        $"{r.Collection} ({r.Documents} documents, {r.Passages} passages, {r.Queries} judged queries), ranker {r.Ranker}",
        $"nDCG@10   {F(r.Mean.Ndcg10)}",
        $"MAP@100   {F(r.Mean.Ap100)}",
        $"R@100     {F(r.Mean.Recall100)}",
        $"P@10      {F(r.Mean.P10)}",
        $"MRR@10    {F(r.Mean.Rr10)}",
        $"query p50 {Ms(r.P50Milliseconds)} ms, p99 {Ms(r.P99Milliseconds)} ms, mean {Ms(r.MeanMilliseconds)} ms",
        $"index     {r.IndexMilliseconds:F0} ms");

    private static string BeirJson(EvaluationResult r)
        => JsonSerializer.Serialize(CliJson.BeirJson.From(r), CliJsonContext.Relaxed.BeirJson);

    private static string QaText(QaReport r)
    {
        var lines = new List<string>
        {
            $"{r.Outcomes.Count} cases ({r.Answerable} answerable, {r.AbstainCases} abstain)",
            $"hit@1      {r.Hit1:P1}",
            $"hit@3      {r.Hit3:P1}",
            $"abstention {r.AbstentionAccuracy:P1}",
            "",
            $"{"type",-12} {"cases",5} {"hit@1",6} {"hit@3",6} {"fact",6} {"abst.P",6} {"abst.R",6} {"refused",7}",
        };
        foreach (var t in r.ByType.Append(r.Overall))
        {
            string S(double v, bool applies) => applies ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";
            lines.Add($"{t.Type,-12} {t.Cases,5} {S(t.Hit1, t.Answerable > 0),6} {S(t.Hit3, t.Answerable > 0),6} {S(t.Fact, t.Answerable > 0),6} {S(t.AbstentionPrecision, true),6} {S(t.AbstentionRecall, t.AbstainCases > 0),6} {S(t.WronglyRefused, t.Answerable > 0),7}");
        }

        lines.Add("");
        foreach (var f in r.Outcomes.Where(o => !o.Passed || (o.Case.Fact is not null && o.Answered && !o.Fact)))
        {
            lines.Add($"{(f.Passed ? "FACT" : "FAIL")} line {f.Case.Line} [{f.Case.ReportType}]: \"{f.Case.Question}\" → {(f.Case.Abstain ? "abstain" : $"{f.Case.Document} \"{f.Case.Phrase}\"")}: {f.Detail}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string QaJson(QaReport r)
        => JsonSerializer.Serialize(CliJson.QaJson.From(r), CliJsonContext.Relaxed.QaJson);
}
