using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Evaluation;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Cli;

/// <summary>
/// Source-generated serialization for the CLI's JSON output (no reflection at run time). Each output has a small
/// record shaped exactly like its documented JSON (snake_case, nulls written, fields in this order), so the
/// contract is visible in one place and the serializer writes it.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(List<CorpusDocumentInfo>))]
[JsonSerializable(typeof(CliJson.AnswerJson))]
[JsonSerializable(typeof(CliJson.ReportJson))]
[JsonSerializable(typeof(CliJson.BeirJson))]
[JsonSerializable(typeof(CliJson.QaJson))]
[JsonSerializable(typeof(CliJson.BenchJson))]
[JsonSerializable(typeof(CliJson.AdminBenchJson))]
[JsonSerializable(typeof(CliJson.AuditJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Non-ASCII text stays readable (the output is for people and scripts, never embedded in HTML).</summary>
    public static CliJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });

    /// <summary>The same, indented (reports meant to be read).</summary>
    public static CliJsonContext RelaxedIndented { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    });
}

/// <summary>The JSON shapes the CLI prints.</summary>
internal static class CliJson
{
    /// <summary>Timestamps as round-trip UTC text ("O"), as the CLI has always printed them.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary><c>policybot ask --json</c>: one answer.</summary>
    public sealed record AnswerJson(
        string Question,
        bool Answered,
        string Answer,
        IReadOnlyList<CitationJson> Citations,
        string? Reason,
        string CorpusVersion,
        string? Confidence)
    {
        public static AnswerJson From(Answer answer) => new(
            answer.Question,
            answer.Answered,
            answer.Text,
            answer.Citations.Select(c => new CitationJson(c.Rank, c.Title, c.Section, c.Source, c.SourceLineText, c.SourceUrl?.AbsoluteUri, c.Passage, c.Score)).ToList(),
            answer.Reason,
            answer.CorpusVersion,
            answer.Confidence?.ToString().ToLowerInvariant());
    }

    public sealed record CitationJson(int Rank, string Title, string Section, string Source, string SourceLine, string? Url, string Passage, double Score);

    /// <summary><c>policybot report --json</c>: the audit summary.</summary>
    public sealed record ReportJson(
        int Questions,
        int Answered,
        int Abstained,
        int Refused,
        FeedbackJson Feedback,
        IReadOnlyList<GapJson> CoverageGaps,
        IReadOnlyList<TopicJson> TopTopics,
        IReadOnlyList<SlowJson> SlowestAnswers,
        IReadOnlyList<ReasonJson> RefusalReasons)
    {
        public static ReportJson From(AuditReport r) => new(
            r.Questions,
            r.Answered,
            r.Abstained,
            r.Refused,
            new FeedbackJson(r.PositiveFeedback, r.NegativeFeedback, r.FeedbackRatio is { } ratio ? Math.Round(ratio, 4) : null),
            r.CoverageGaps.Select(g => new GapJson(g.Terms, g.Asked, g.Example, Timestamp(g.LastAsked))).ToList(),
            r.TopTopics.Select(t => new TopicJson(t.Document, t.Answers, t.Positive, t.Negative)).ToList(),
            r.SlowestAnswers.Select(s => new SlowJson(s.Question, s.Platform, s.Outcome, Math.Round(s.LatencyMs, 3), Timestamp(s.At))).ToList(),
            r.RefusalReasons.Select(c => new ReasonJson(c.Name, c.Value)).ToList());
    }

    public sealed record FeedbackJson(int Positive, int Negative, double? PositiveRatio);

    public sealed record GapJson(string KeyWords, int Asked, string Example, string LastAsked);

    public sealed record TopicJson(string Document, int Answers, int Positive, int Negative);

    public sealed record SlowJson(string Question, string Platform, string Outcome, double LatencyMs, string At);

    public sealed record ReasonJson(string Reason, int Count);

    /// <summary><c>policybot eval --beir … --json</c>: one collection's mean figures.</summary>
    public sealed record BeirJson(
        string Collection,
        string Ranker,
        int Documents,
        int Passages,
        int Queries,
        [property: JsonPropertyName("ndcg_10")] double Ndcg10,
        [property: JsonPropertyName("map_100")] double Map100,
        [property: JsonPropertyName("recall_100")] double Recall100,
        [property: JsonPropertyName("p_10")] double P10,
        [property: JsonPropertyName("mrr_10")] double Mrr10,
        double P50Ms,
        double P99Ms,
        double MeanMs,
        double IndexMs)
    {
        public static BeirJson From(EvaluationResult r) => new(
            r.Collection, r.Ranker, r.Documents, r.Passages, r.Queries,
            Math.Round(r.Mean.Ndcg10, 4), Math.Round(r.Mean.Ap100, 4), Math.Round(r.Mean.Recall100, 4), Math.Round(r.Mean.P10, 4), Math.Round(r.Mean.Rr10, 4),
            Math.Round(r.P50Milliseconds, 4), Math.Round(r.P99Milliseconds, 4), Math.Round(r.MeanMilliseconds, 4), Math.Round(r.IndexMilliseconds, 1));
    }

    /// <summary><c>policybot eval --qa … --json</c>: overall and per-type figures and every failure.</summary>
    public sealed record QaJson(
        int Cases,
        int Answerable,
        int AbstainCases,
        [property: JsonPropertyName("hit_1")] double Hit1,
        [property: JsonPropertyName("hit_3")] double Hit3,
        double AbstentionAccuracy,
        IReadOnlyList<QaTypeJson> ByType,
        IReadOnlyList<QaFailureJson> Failures)
    {
        public static QaJson From(QaReport r) => new(
            r.Outcomes.Count,
            r.Answerable,
            r.AbstainCases,
            Math.Round(r.Hit1, 4),
            Math.Round(r.Hit3, 4),
            Math.Round(r.AbstentionAccuracy, 4),
            r.ByType.Append(r.Overall).Select(t => new QaTypeJson(
                t.Type, t.Cases, t.Answerable, t.AbstainCases, Math.Round(t.Hit1, 4), Math.Round(t.Hit3, 4), Math.Round(t.Fact, 4),
                Math.Round(t.AbstentionPrecision, 4), Math.Round(t.AbstentionRecall, 4), Math.Round(t.WronglyRefused, 4))).ToList(),
            r.Failures.Select(f => new QaFailureJson(f.Case.Line, f.Case.Question, f.Case.Abstain, f.Case.Document, f.Case.Phrase, f.Case.ReportType, f.Detail)).ToList());
    }

    public sealed record QaTypeJson(
        string Type,
        int Cases,
        int Answerable,
        int AbstainCases,
        [property: JsonPropertyName("hit_1")] double Hit1,
        [property: JsonPropertyName("hit_3")] double Hit3,
        double Fact,
        double AbstentionPrecision,
        double AbstentionRecall,
        double WronglyRefused);

    public sealed record QaFailureJson(int Line, string Question, bool Abstain, string? Document, string? Phrase, string Type, string Detail);

    /// <summary><c>policybot bench … --json</c>: one scale's index, latency, throughput and memory figures.</summary>
    public sealed record BenchJson(
        int Scale,
        int Documents,
        int Passages,
        int Questions,
        double IndexMs,
        double RebuildMs,
        long Answers,
        double P50Ms,
        double P99Ms,
        double MaxMs,
        double MeanMs,
        double BestP50Ms,
        double BestP99Ms,
        double Qps,
        double QpsThreads,
        int Threads,
        double AnsweredShare,
        double SemanticShare,
        double CpuMsPerAnswer,
        double HeapBeforeMb,
        [property: JsonPropertyName("heap_mb")] double HeapAfterMb,
        double RssBeforeMb,
        [property: JsonPropertyName("rss_mb")] double RssAfterMb)
    {
        public static BenchJson From(BenchmarkResult r) => new(
            r.Scale, r.Documents, r.Passages, r.Questions,
            Math.Round(r.IndexMilliseconds, 1), Math.Round(r.RebuildMilliseconds, 1), r.Answers,
            Math.Round(r.P50Milliseconds, 4), Math.Round(r.P99Milliseconds, 4), Math.Round(r.MaxMilliseconds, 4), Math.Round(r.MeanMilliseconds, 4),
            Math.Round(r.BestP50Milliseconds, 4), Math.Round(r.BestP99Milliseconds, 4),
            Math.Round(r.Qps, 1), Math.Round(r.QpsThreads, 1), r.Threads,
            Math.Round(r.AnsweredShare, 4), Math.Round(r.SemanticShare, 4), Math.Round(r.CpuMillisecondsPerAnswer, 4),
            Math.Round(r.HeapBeforeMb, 1), Math.Round(r.HeapAfterMb, 1), Math.Round(r.RssBeforeMb, 1), Math.Round(r.RssAfterMb, 1));
    }

    /// <summary><c>policybot bench --admin --json</c>: page times over a seeded store.</summary>
    public sealed record AdminBenchJson(
        string Store,
        int Records,
        int Rated,
        [property: JsonPropertyName("seed_s")] double SeedSeconds,
        string LoadBefore,
        string LoadAfter,
        IReadOnlyList<AdminPageJson> Pages,
        [property: JsonPropertyName("export_s")] double ExportSeconds,
        int ExportRecords)
    {
        public static AdminBenchJson From(AdminBenchmarkResult r) => new(
            r.Store, r.Records, r.Rated, Math.Round(r.SeedSeconds, 2), r.LoadBefore, r.LoadAfter,
            r.Pages.Select(p => new AdminPageJson(p.Page, Math.Round(p.FirstMs, 2), Math.Round(p.P50Ms, 2), Math.Round(p.P95Ms, 2), Math.Round(p.MaxMs, 2), Math.Round(p.CpuMsPerView, 2), p.Bytes)).ToList(),
            Math.Round(r.ExportSeconds, 2),
            r.ExportLines - 1);
    }

    public sealed record AdminPageJson(string Page, double FirstMs, double P50Ms, double P95Ms, double MaxMs, double CpuMsPerView, int Bytes);

    /// <summary>One line of <c>policybot audit export --format jsonl</c> (and the dashboard's JSONL export).</summary>
    public sealed record AuditJson(
        string AnswerId,
        string At,
        string Platform,
        string? ServerId,
        string? ChannelId,
        string? UserHash,
        string Question,
        string Outcome,
        string? Reason,
        IReadOnlyList<string> CitedPassageIds,
        string CorpusVersion,
        double LatencyMs,
        string? Confidence,
        IReadOnlyList<AuditFeedbackJson> Feedback)
    {
        public static AuditJson From(AuditRecord r) => new(
            r.AnswerId,
            Timestamp(r.At),
            r.Platform,
            r.ServerId,
            r.ChannelId,
            r.UserHash,
            r.Question,
            r.Outcome.ToString().ToLowerInvariant(),
            r.Reason,
            r.CitedPassageIds,
            r.CorpusVersion,
            Math.Round(r.LatencyMs, 3),
            r.Confidence?.ToLowerInvariant(),
            r.Feedback.Select(f => new AuditFeedbackJson(f.Reaction == FeedbackReaction.Positive ? "positive" : "negative", f.Comment, f.Platform, Timestamp(f.At))).ToList());
    }

    public sealed record AuditFeedbackJson(string Reaction, string? Comment, string Platform, string At);
}
