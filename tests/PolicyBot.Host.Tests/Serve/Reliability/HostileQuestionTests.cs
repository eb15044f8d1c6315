using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Host.Tests.Serve;
using Xunit.Abstractions;
using PolicyBot.State;
using PolicyBot.Search.Index;
using PolicyBot.Search.Analysis;

namespace PolicyBot.Host.Tests.Serve.Reliability;

/// <summary>10,000 generated hostile questions through the whole answer path: limits, engine, audit trail (real SQLite).</summary>
public sealed class HostileQuestionTests(ITestOutputHelper output)
{
    public const int Count = 10_000;

    [Fact]
    public async Task AnswerAsync_TenThousandHostileQuestions_EachAnsweredOrRefusedWithReasonNoneThrows()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("POLICYBOT_TEST_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (rerun with POLICYBOT_TEST_SEED={seed})");
        var random = new Random(seed);

        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var engine = await corpus.OpenAsync();
        var live = new LiveIndex();
        live.Set(engine);
        await using var store = BotStoreFactory.CreateSqlite(corpus.IndexPath, null, null);
        await store.MigrateAsync(CancellationToken.None);
        var options = new OperationsOptions
        {
            UserRate = new RateLimit(20, TimeSpan.FromSeconds(1)),
            ChannelRate = new RateLimit(1_000_000, TimeSpan.FromSeconds(1)),
            MaxConcurrentAnswers = 4,
            QueueCapacity = 10_000,
        };
        using var metrics = new PolicyBotMetrics();
        using var answerer = new OperatedAnswerer(live, live, store, QuestionTerms.Default, UserIdHasher.WithSalt("hostile-questions-salt-01"), new InMemoryRateLimiter(TimeProvider.System), options, metrics, TimeProvider.System, NullLogger<OperatedAnswerer>.Instance);

        var questions = Enumerable.Range(0, Count).Select(i => Generate(random, i)).ToList();

        // Warm up, then measure memory from a settled heap.
        await answerer.AnswerAsync(new Question(CorpusQuestions.Widgets.Fine, QuestionContext.Cli), CancellationToken.None);
        var before = Memory.SettledHeapBytes();
        var failures = new ConcurrentQueue<string>();
        var outcomes = new ConcurrentDictionary<AnswerOutcome, int>();
        var ids = new ConcurrentDictionary<string, byte>();
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var q = questions[i];
            try
            {
                var answer = await answerer.AnswerAsync(q, ct);
                outcomes.AddOrUpdate(answer.Outcome, 1, (_, n) => n + 1);
                if (!ids.TryAdd(answer.Id, 0))
                {
                    failures.Enqueue($"#{i}: duplicate answer id");
                }

                if (string.IsNullOrWhiteSpace(answer.Text))
                {
                    failures.Enqueue($"#{i}: empty text");
                }

                if (answer.Outcome == AnswerOutcome.Answered ? answer.Citations.Count == 0 : string.IsNullOrWhiteSpace(answer.Reason))
                {
                    failures.Enqueue($"#{i}: {answer.Outcome} without {(answer.Answered ? "citations" : "a reason")}");
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue($"#{i} ({Describe(q.Text)}): {ex.GetType().Name}: {ex.Message}");
            }
        });
        sw.Stop();
        questions.Clear();
        var after = Memory.SettledHeapBytes();

        var audited = 0;
        await foreach (var record in store.ReadAuditAsync(null, CancellationToken.None))
        {
            audited++;
        }

        output.WriteLine($"{Count} questions in {sw.Elapsed.TotalSeconds:F1} s ({Count / sw.Elapsed.TotalSeconds:F0}/s): {string.Join(", ", outcomes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))}");
        output.WriteLine($"GC heap: {Memory.Mb(before)} before, {Memory.Mb(after)} after; working set {Memory.Mb(Environment.WorkingSet)}");
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures, first: {string.Join(" | ", failures.Take(5))}");
        Assert.Equal(Count, outcomes.Values.Sum());
        Assert.Equal(Count + 1, audited);
        Assert.True(outcomes.GetValueOrDefault(AnswerOutcome.Answered) > 0, $"seed {seed}: nothing answered; the generator mixes in real questions");
        Assert.True(outcomes.GetValueOrDefault(AnswerOutcome.Refused) > 0, $"seed {seed}: nothing refused; the generator makes over-long questions");
        Assert.True(after - before < 64L * 1024 * 1024, $"managed heap grew by {(after - before) / 1048576.0:F1} MB");
        Assert.Equal(0, answerer.InFlight);
    }

    private static string Describe(string text) => text.Length <= 60 ? text : text[..60] + $"… ({text.Length} chars)";

    private static readonly string[] Syntax =
    [
        "\"unbalanced", "NEAR(fine turnover, 3)", "fine AND OR NOT", "*", "^title:widget", "{title text}: fine", "-fine", "title:\"x\"",
        "'; DROP TABLE documents; --", "1 OR 1=1", "%_\\", "\" OR \"\"=\"", "SELECT * FROM passages_fts WHERE passages_fts MATCH 'a'",
        "@everyone", "@here", "<@123456789012345678>", "<@&987654321>", "<#42>", "<at>PolicyBot</at>", "</at>", "[link](javascript:alert(1))",
        "```", "**", "||spoiler||", "\u202Eevil", "\u200B\u200C\u200D\uFEFF", "\0", "\r\n\t", "NULL", "()", "((((((((((", ")))))", "::", "\\u0000",
    ];

    private static readonly string[] Real =
    [
        CorpusQuestions.Widgets.Fine, CorpusQuestions.Widgets.Registry, "Who supervises gadget transparency duties?", "How is synthetic audio labelled?",
    ];

    /// <summary>One hostile question; the kind rotates so every kind is well represented.</summary>
    internal static Question Generate(Random random, int i)
    {
        string text = (i % 10) switch
        {
            0 => RandomUnicode(random, random.Next(1, 200)),
            1 => RandomUnicode(random, random.Next(2_001, i % 100 == 1 ? 200_000 : 5_000)),
            2 => Controls(random, random.Next(1, 300)),
            3 => string.Join(' ', Enumerable.Range(0, random.Next(1, 12)).Select(_ => Syntax[random.Next(Syntax.Length)])),
            4 => Real[random.Next(Real.Length)] + " " + Syntax[random.Next(Syntax.Length)],
            5 => Real[random.Next(Real.Length)],
            6 => new string(' ', random.Next(0, 50)),
            7 => string.Concat(Enumerable.Repeat("fine ", random.Next(1, 390))),
            8 => Interleave(random, Real[random.Next(Real.Length)]),
            _ => RandomAscii(random, random.Next(0, 2_500)),
        };
        var platform = (i % 3) switch { 0 => "discord", 1 => "teams", _ => "cli" };
        var previous = i % 7 == 0 ? RandomUnicode(random, random.Next(0, 300)) : null;
        var user = i % 11 == 0 ? RandomUnicode(random, 20) : "user-" + random.Next(0, 2_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Question(text, new QuestionContext(platform, "server\0" + (i % 5), "channel-" + (i % 13), user, previous)) { MaxCitations = random.Next(1, 11) };
    }

    private static string RandomUnicode(Random random, int length)
    {
        var sb = new StringBuilder(length);
        while (sb.Length < length)
        {
            switch (random.Next(6))
            {
                case 0:
                    sb.Append((char)random.Next(0xD800, 0xE000)); // lone surrogates
                    break;
                case 1:
                    sb.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1FAFF)));
                    break;
                case 2:
                    sb.Append((char)random.Next(0x0300, 0x0370)); // combining marks
                    break;
                default:
                    var c = random.Next(0, 0x10000);
                    sb.Append(c is >= 0xD800 and < 0xE000 ? 'x' : (char)c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static string Controls(Random random, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(random.Next(3) == 0 ? (char)random.Next(0x20, 0x7F) : (char)random.Next(0, 0x20));
        }

        return sb.ToString();
    }

    private static string RandomAscii(Random random, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append((char)random.Next(0x20, 0x7F));
        }

        return sb.ToString();
    }

    private static string Interleave(Random random, string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            sb.Append(c);
            if (random.Next(4) == 0)
            {
                sb.Append(Syntax[random.Next(Syntax.Length)][0]);
            }
        }

        return sb.ToString();
    }
}
