using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Search;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Serve;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Ranking.Semantic;
using PolicyBot.State;

namespace PolicyBot.Host.Cli;

/// <summary>What <see cref="AdminBenchmark"/> measures.</summary>
internal sealed record AdminBenchmarkSettings
{
    public int Records { get; init; } = 100_000;

    public int Runs { get; init; } = 30;

    /// <summary>A scratch PostgreSQL database (URL or Npgsql string); null for SQLite in a temp folder.</summary>
    public string? Database { get; init; }

    public required IReadOnlyList<string> Corpus { get; init; }
}

/// <summary>One page's times: the first view (nothing cached yet) and the steady views after it.</summary>
internal sealed record AdminPageTime(string Page, double FirstMs, double P50Ms, double P95Ms, double MaxMs, double CpuMsPerView, int Bytes);

internal sealed record AdminBenchmarkResult(string Store, int Records, int Rated, double SeedSeconds, IReadOnlyList<AdminPageTime> Pages, double ExportSeconds, int ExportLines, string LoadBefore, string LoadAfter);

/// <summary>
/// <c>policybot bench --admin</c>: the real <c>serve</c> host (dashboard in local mode, Kestrel on 127.0.0.1, no platform)
/// over the real store — SQLite in a temp folder, or the scratch PostgreSQL database given — seeded through the
/// store's own writer with <see cref="AdminBenchmarkSettings.Records"/> audit records over 90 days (72 % answered,
/// a tenth of those of low confidence; 20 % abstained; 8 % refused; a tenth of the answers rated) with their main
/// terms computed as the operated answerer computes them; then every page and range over HTTP, p50/p95/max.
/// </summary>
internal static class AdminBenchmark
{
    public static readonly string[] Pages =
    [
        "/admin?days=7", "/admin?days=30", "/admin?days=90",
        "/admin/gaps?days=7", "/admin/gaps?days=30", "/admin/gaps?days=90",
        "/admin/feedback?days=7", "/admin/feedback?days=30", "/admin/feedback?days=90", "/admin/feedback?days=90&platform=teams",
        "/admin/corpus", "/admin/try",
    ];

    // Words and phrasings of questions the corpus does not cover (a long tail of gap groups) and of ones it does.
    private static readonly string[] GapWords =
    [
        "quantum", "sensor", "Peru", "fisheries", "tariff", "satellite", "biometric", "drone", "insurance", "pension",
        "railway", "vaccine", "uranium", "coral", "lithium", "tax", "Kenya", "Norway", "Chile", "Vietnam",
        "chess", "weather", "football", "recipe", "mortgage", "tourism", "shipping", "mining", "forestry", "wine",
    ];

    private static readonly string[] GapPhrasings =
    [
        "What does the policy say about {0} and {1}?", "Are there rules on {0} {1}?", "{0} {1} regulation?",
        "Is {0} covered when it comes to {1}?", "how do they regulate {0} for {1}",
    ];

    private static readonly string[] AskedQuestions =
    [
        "What are the transparency obligations for chatbots in the EU?", "Which AI practices are banned under the AI Act?",
        "When does the EU AI Act apply to general-purpose models?", "Does China require labels on AI-generated content?",
        "What must providers of high-risk AI systems do?", "How are deepfakes regulated?", "What are the fines under the AI Act?",
        "Who supervises AI in the UK?", "What does the NIST AI RMF say about governance?", "Do I need to register a generative AI service in China?",
    ];

    private static readonly string[] Topics = ["EU AI Act", "China generative AI measures", "NIST AI RMF", "UK AI regulation", "deepfakes"];

    public static async Task<AdminBenchmarkResult> RunAsync(AdminBenchmarkSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = Path.Combine(Path.GetTempPath(), "policybot-bench-admin-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        using var loggers = CliOptions.CliLoggerFactory();
        var engine = new PolicyBotOptions { IndexPath = Path.Combine(root, "index"), Semantic = new SemanticOptions { Enabled = false } };
        foreach (var c in settings.Corpus)
        {
            engine.CorpusDirectories.Add(c);
        }

        // The store is made here, not from POLICYBOT_DATABASE, so the bench never writes into the bot's own database.
        var store = BotStoreFactory.Create(new BotStateOptions { Database = settings.Database }, engine.IndexPath, null, loggers);
        await using (store)
        {
            try
            {
                var app = ServeHost.Build(
                    new ServeSettings { Engine = engine },
                    discordFlag: false,
                    teamsFlag: false,
                    [
                        new("POLICYBOT_HTTP_URL", "http://127.0.0.1:0"),
                        new("POLICYBOT_ADMIN_LOCAL", "true"),
                        new("POLICYBOT_ADMIN_TOKEN", ""),
                        new("POLICYBOT_USER_SALT", "bench-admin-salt-0123456789abcdef"),
                        new("POLICYBOT_AUDIT_DAYS", "0"),
                        new("DISCORD_TOKEN", ""),
                        new("TEAMS_APP_ID", ""),
                    ],
                    builder =>
                    {
                        builder.Logging.ClearProviders();
                        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
                        builder.Services.AddSingleton(store);
                    });
                // The host disposes the store with itself (it hands it out as IFeedbackSink, IWatchStore, …): the bench's
                // records are taken out of a scratch PostgreSQL database before the host goes.
                var seeded = false;
                await using (app)
                {
                    try
                    {
                        await app.StartAsync(cancellationToken);
                        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
                        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
                        await WaitReadyAsync(http, cancellationToken);
                        if ((await store.QueryAuditAsync(new AuditFilter { Limit = 1, IncludeFeedback = false }, cancellationToken)).Count > 0)
                        {
                            throw new InvalidOperationException("bench --admin needs an empty store: the database given already holds audit records. Give it a scratch database.");
                        }

                        seeded = true;
                        var loadBefore = LoadAverage();
                        var seed = Stopwatch.StartNew();
                        var rated = await SeedAsync(store, settings.Records, progress, cancellationToken);
                        seed.Stop();

                        // After a bulk load, as after the daily prune: fresh statistics (and, on PostgreSQL, a vacuum, which
                        // autovacuum would do a little later anyway) — the steady state a running bot's store is in.
                        await store.OptimizeAsync(cancellationToken);
                        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"seeded {settings.Records} audit records ({rated} rated) in {seed.Elapsed.TotalSeconds:F1} s"));

                        var pages = new List<AdminPageTime>();
                        foreach (var page in Pages)
                        {
                            pages.Add(await MeasureAsync(http, page, settings.Runs, cancellationToken));
                        }

                        var export = Stopwatch.StartNew();
                        var lines = 0;
                        using (var response = await http.GetAsync("/admin/export?format=csv&days=90", HttpCompletionOption.ResponseHeadersRead, cancellationToken))
                        {
                            response.EnsureSuccessStatusCode();
                            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                            while (await reader.ReadLineAsync(cancellationToken) is not null)
                            {
                                lines++;
                            }
                        }

                        export.Stop();
                        var result = new AdminBenchmarkResult(settings.Database is null ? "sqlite" : "postgresql", settings.Records, rated, seed.Elapsed.TotalSeconds, pages, export.Elapsed.TotalSeconds, lines, loadBefore, LoadAverage());
                        await app.StopAsync(cancellationToken);
                        return result;
                    }
                    finally
                    {
                        if (seeded && settings.Database is not null)
                        {
                            // The scratch database held no audit records before: take the bench's out again.
                            await store.PruneAsync(DateTimeOffset.MaxValue, CancellationToken.None);
                        }
                    }
                }
            }
            finally
            {
                TryDelete(root);
            }
        }
    }

    /// <summary>Audit records through <see cref="IBotStore.RecordQuestionsAsync"/>, feedback through <see cref="IFeedbackSink.RecordAsync"/>; returns how many answers were rated.</summary>
    private static async Task<int> SeedAsync(IBotStore store, int records, TextWriter progress, CancellationToken cancellationToken)
    {
        var random = new Random(14_100_000);
        var now = DateTimeOffset.UtcNow;
        var terms = new Dictionary<string, string>(StringComparer.Ordinal); // the answerer analyses each question once; so does the seed, per distinct question
        var batch = new List<AuditRecord>(5000);
        var feedback = new List<Feedback>();
        for (var i = 0; i < records; i++)
        {
            var at = now.AddSeconds(-random.Next(90 * 86_400 - 60));
            var roll = random.Next(100);
            var outcome = roll < 72 ? AnswerOutcome.Answered : roll < 92 ? AnswerOutcome.Abstained : AnswerOutcome.Refused;
            var question = outcome == AnswerOutcome.Abstained
                ? string.Format(CultureInfo.InvariantCulture, GapPhrasings[random.Next(GapPhrasings.Length)], GapWords[random.Next(GapWords.Length)], GapWords[random.Next(GapWords.Length)])
                : AskedQuestions[random.Next(AskedQuestions.Length)];
            var confidence = outcome != AnswerOutcome.Answered ? (AnswerConfidence?)null : random.Next(10) switch
            {
                0 => AnswerConfidence.Low,
                < 4 => AnswerConfidence.Medium,
                _ => AnswerConfidence.High,
            };
            string? key = null;
            if (outcome != AnswerOutcome.Refused && !terms.TryGetValue(question, out key))
            {
                terms[question] = key = QuestionTerms.Default.MainTerms(question);
            }

            var id = "bench-" + i.ToString("D7", CultureInfo.InvariantCulture);
            var platform = random.Next(3) == 0 ? "teams" : "discord";
            batch.Add(new AuditRecord
            {
                AnswerId = id,
                At = at,
                Platform = platform,
                ServerId = "guild-" + random.Next(20).ToString(CultureInfo.InvariantCulture),
                ChannelId = "channel-" + random.Next(100).ToString(CultureInfo.InvariantCulture),
                UserHash = "user-" + random.Next(5000).ToString("x4", CultureInfo.InvariantCulture),
                Question = question,
                Outcome = outcome,
                Reason = outcome == AnswerOutcome.Refused ? "rate limited (user)" : outcome == AnswerOutcome.Abstained ? "no passage covers the question" : null,
                CitedPassageIds = outcome == AnswerOutcome.Answered ? ["eu-ai-act.md#3", "eu-ai-act.md#7"] : [],
                CorpusVersion = "bench-v1",
                LatencyMs = outcome == AnswerOutcome.Refused ? 0.05 : 2 + (random.NextDouble() * 40),
                AnswerText = outcome == AnswerOutcome.Answered ? "Providers must ensure that AI systems intended to interact with natural persons inform them that they are interacting with an AI system. [1]" : "The corpus does not cover that yet.",
                SuggestedTopics = outcome == AnswerOutcome.Abstained ? [Topics[random.Next(Topics.Length)], Topics[random.Next(Topics.Length)]] : [],
                Confidence = confidence?.ToString(),
                MainTerms = key,
            });
            if (outcome == AnswerOutcome.Answered && random.Next(10) == 0)
            {
                var down = random.Next(10) < 3;
                feedback.Add(new Feedback(id, platform, "rater-" + random.Next(500).ToString(CultureInfo.InvariantCulture), down ? FeedbackReaction.Negative : FeedbackReaction.Positive, down ? "Not what I asked" : null, at.AddMinutes(1)));
            }

            if (batch.Count == batch.Capacity || i == records - 1)
            {
                await store.RecordQuestionsAsync(batch, cancellationToken);
                batch.Clear();
                if ((i + 1) % 20_000 == 0)
                {
                    await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {i + 1} records"));
                }
            }
        }

        await Parallel.ForEachAsync(feedback, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (f, ct) => await store.RecordAsync(f, ct));
        return feedback.Count;
    }

    private static async Task<AdminPageTime> MeasureAsync(HttpClient http, string page, int runs, CancellationToken cancellationToken)
    {
        var first = await ViewAsync(http, page, cancellationToken);
        for (var i = 0; i < 2; i++)
        {
            await ViewAsync(http, page, cancellationToken);
        }

        var times = new double[runs];
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var bytes = 0;
        for (var i = 0; i < runs; i++)
        {
            var (ms, size) = await ViewAsync(http, page, cancellationToken);
            times[i] = ms;
            bytes = size;
        }

        process.Refresh();
        var cpuPerView = (process.TotalProcessorTime - cpu).TotalMilliseconds / runs;
        Array.Sort(times);
        return new AdminPageTime(page, first.Ms, Nearest(times, 0.50), Nearest(times, 0.95), times[^1], cpuPerView, bytes);
    }

    private static async Task<(double Ms, int Bytes)> ViewAsync(HttpClient http, string page, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        using var response = await http.GetAsync(page, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        sw.Stop();
        if (response.StatusCode != HttpStatusCode.OK || !body.Contains("</html>", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{page} answered {(int)response.StatusCode}");
        }

        return (sw.Elapsed.TotalMilliseconds, body.Length);
    }

    private static double Nearest(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task WaitReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using (var response = await http.GetAsync("/readyz", cancellationToken))
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("the serve host never turned ready (is the corpus readable?)");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>The 1/5/15-minute load averages (Linux), so a reader can judge figures from a shared machine.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held by a finishing background task; the temp folder is cleaned by the OS.
        }
    }

    public static string Text(AdminBenchmarkResult r)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"store {r.Store}: {r.Records} audit records over 90 days, {r.Rated} rated; seeded in {r.SeedSeconds:F1} s; load average {r.LoadBefore} before, {r.LoadAfter} after; {Environment.ProcessorCount} cores"),
            "page                                      first_ms   p50_ms   p95_ms   max_ms  cpu_ms/view     bytes",
        };
        lines.AddRange(r.Pages.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Page,-40}  {p.FirstMs,8:F1} {p.P50Ms,8:F1} {p.P95Ms,8:F1} {p.MaxMs,8:F1}  {p.CpuMsPerView,11:F1}  {p.Bytes,8}")));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"CSV export of {r.ExportLines - 1} records (90 days): {r.ExportSeconds:F2} s"));
        return string.Join(Environment.NewLine, lines);
    }

    public static string Json(AdminBenchmarkResult r)
        => JsonSerializer.Serialize(CliJson.AdminBenchJson.From(r), CliJsonContext.Relaxed.AdminBenchJson);

    /// <summary>Sends the host's log lines to the CLI's own logger factory (standard error, warnings and up).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
