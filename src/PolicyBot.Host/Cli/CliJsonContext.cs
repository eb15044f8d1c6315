using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyBot.Core.Conversation;
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
}
