using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Corpus;
using PolicyBot.Search.Retrieval;
using PolicyBot.Search;
using PolicyBot.Search.Ranking.Semantic;

namespace PolicyBot.Evaluation;

/// <summary>Settings of a benchmark run.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>Time given to the single-threaded run and, again, to the multi-threaded run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public int Threads { get; init; } = Environment.ProcessorCount;

    public RankingOptions Ranking { get; init; } = RankingOptions.Default;

    /// <summary>Warm-up passes over the question list before measuring.</summary>
    public int WarmupPasses { get; init; } = 3;

    /// <summary>The semantic stage (off: the lexical path alone).</summary>
    public SemanticOptions Semantic { get; init; } = SemanticOptions.Off;
}

/// <summary>The figures of one benchmark scale.</summary>
public sealed record BenchmarkResult
{
    public required int Scale { get; init; }

    public required int Documents { get; init; }

    public required int Passages { get; init; }

    public required int Questions { get; init; }

    /// <summary>Building the index into an empty file and loading the snapshot.</summary>
    public required double IndexMilliseconds { get; init; }

    /// <summary>Rebuilding it over the existing file (replace everything, reload).</summary>
    public required double RebuildMilliseconds { get; init; }

    public required long Answers { get; init; }

    public required double P50Milliseconds { get; init; }

    public required double P99Milliseconds { get; init; }

    public required double MaxMilliseconds { get; init; }

    public required double MeanMilliseconds { get; init; }

    /// <summary>Answers per second, one thread.</summary>
    public required double Qps { get; init; }

    /// <summary>Answers per second with <see cref="Threads"/> threads.</summary>
    public required double QpsThreads { get; init; }

    public required int Threads { get; init; }

    /// <summary>Share of answered (not abstained) questions.</summary>
    public required double AnsweredShare { get; init; }

    public required double HeapBeforeMb { get; init; }

    public required double HeapAfterMb { get; init; }

    public required double RssBeforeMb { get; init; }

    public required double RssAfterMb { get; init; }

    /// <summary>
    /// p50 and p99 over questions of each question's fastest answer across the passes: the answer path's own cost,
    /// with preemption by other processes filtered out (a shared machine inflates the plain percentiles' tail).
    /// </summary>
    public double BestP50Milliseconds { get; init; }

    public double BestP99Milliseconds { get; init; }

    /// <summary>Share of the questions (one pass) for which the semantic stage ran (embedded the question); 0 with it off.</summary>
    public double SemanticShare { get; init; }

    /// <summary>Process CPU time per answer in the one-thread run (less sensitive to other processes' load than wall time).</summary>
    public double CpuMillisecondsPerAnswer { get; init; }

    /// <summary>The questions with the slowest single answer (milliseconds), slowest first: where the tail comes from.</summary>
    public IReadOnlyList<(string Question, double Milliseconds)> Slowest { get; init; } = [];
}

/// <summary>
/// A Stopwatch harness for the whole answer path (<see cref="PolicyBotEngine.Answer"/>: analysis, retrieval, sentence
/// selection and citations): index build (cold, then rebuild), warm-up, then answers in a loop over the question
/// list, timed one by one on one thread, and counted on N threads.
/// </summary>
public static class AnswerBenchmark
{
    public static BenchmarkResult Run(
        IReadOnlyList<SourceDocument> documents,
        int scale,
        IReadOnlyList<string> questions,
        BenchmarkSettings settings,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(settings);
        if (questions.Count == 0)
        {
            throw new ArgumentException("no questions to benchmark", nameof(questions));
        }

        var indexPath = Path.Combine(Path.GetTempPath(), $"policybot-bench-{Guid.NewGuid():N}");
        PolicyBotEngine? engine = null;
        try
        {
            Collect();
            var heapBefore = GC.GetTotalMemory(false) / 1048576.0;
            var rssBefore = Rss();
            var options = new PolicyBotOptions { IndexPath = indexPath, Ranking = settings.Ranking, Semantic = settings.Semantic };
            var replicated = EvaluationDocuments.Replicate(documents, scale).ToList();

            // Cold: into an empty file. Rebuild: replace everything in the now populated file; that engine serves.
            var sw = Stopwatch.StartNew();
            PolicyBotEngine.OpenDocuments(replicated, options, loggers, cancellationToken).DisposeAsync().AsTask().GetAwaiter().GetResult();
            var coldMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            engine = PolicyBotEngine.OpenDocuments(replicated, options, loggers, cancellationToken);
            var rebuildMs = sw.Elapsed.TotalMilliseconds;
            replicated.Clear();
            Collect();

            var asked = questions.Select(q => new Question(q, QuestionContext.Cli)).ToArray();
            var answered = 0;
            var encodedBefore = engine.Semantic?.QuestionsEncoded ?? 0;
            var semanticShare = 0.0;
            for (var pass = 0; pass < Math.Max(1, settings.WarmupPasses); pass++)
            {
                foreach (var q in asked)
                {
                    if (engine.Answer(q).Answered && pass == 0)
                    {
                        answered++;
                    }
                }

                if (pass == 0)
                {
                    semanticShare = ((engine.Semantic?.QuestionsEncoded ?? 0) - encodedBefore) / (double)asked.Length;
                }
            }

            // One thread, each answer timed.
            var latencies = new List<double>(1 << 16);
            var deadline = Stopwatch.GetTimestamp() + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var total = Stopwatch.StartNew();
            var i = 0;
            var worst = new double[asked.Length];
            var best = new double[asked.Length];
            Array.Fill(best, double.MaxValue);
            while (Stopwatch.GetTimestamp() < deadline || i < asked.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                engine.Answer(asked[i % asked.Length]);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                latencies.Add(ms);
                worst[i % asked.Length] = Math.Max(worst[i % asked.Length], ms);
                best[i % asked.Length] = Math.Min(best[i % asked.Length], ms);
                i++;
            }

            var singleSeconds = total.Elapsed.TotalSeconds;
            var cpuPerAnswer = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Math.Max(1, i);

            // N threads, counted.
            var threads = Math.Max(1, settings.Threads);
            long count = 0;
            var until = Stopwatch.GetTimestamp() + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
            total.Restart();
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var n = 0L;
                var j = t * 7;
                while (Stopwatch.GetTimestamp() < until && !cancellationToken.IsCancellationRequested)
                {
                    engine.Answer(asked[j++ % asked.Length]);
                    n++;
                }

                Interlocked.Add(ref count, n);
            })
            { IsBackground = true }).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            var multiSeconds = total.Elapsed.TotalSeconds;

            latencies.Sort();
            var bestSorted = best.Where(b => b < double.MaxValue).Order().ToList();
            var result = new BenchmarkResult
            {
                Scale = scale,
                Documents = engine.View.Documents.Count,
                Passages = engine.View.PassageCount,
                Questions = asked.Length,
                IndexMilliseconds = coldMs,
                RebuildMilliseconds = rebuildMs,
                Answers = latencies.Count,
                P50Milliseconds = RetrievalMetrics.Percentile(latencies, 0.50),
                P99Milliseconds = RetrievalMetrics.Percentile(latencies, 0.99),
                MaxMilliseconds = latencies[^1],
                MeanMilliseconds = latencies.Average(),
                Qps = latencies.Count / singleSeconds,
                QpsThreads = count / multiSeconds,
                Threads = threads,
                AnsweredShare = (double)answered / asked.Length,
                HeapBeforeMb = heapBefore,
                HeapAfterMb = GC.GetTotalMemory(false) / 1048576.0,
                RssBeforeMb = rssBefore,
                RssAfterMb = Rss(),
                SemanticShare = semanticShare,
                CpuMillisecondsPerAnswer = cpuPerAnswer,
                BestP50Milliseconds = RetrievalMetrics.Percentile(bestSorted, 0.50),
                BestP99Milliseconds = RetrievalMetrics.Percentile(bestSorted, 0.99),
                Slowest = Enumerable.Range(0, asked.Length).OrderByDescending(q => worst[q]).Take(5).Select(q => (asked[q].Text, worst[q])).ToList(),
            };
            GC.KeepAlive(engine);
            return result;
        }
        finally
        {
            engine?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            TemporaryIndex.Delete(indexPath);
        }
    }

    private static double Rss()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64 / 1048576.0;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
