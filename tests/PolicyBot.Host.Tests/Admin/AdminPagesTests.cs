using AngleSharp.Html.Parser;
using PolicyBot.Core.Conversation;
using PolicyBot.Host.Admin;
using PolicyBot.Search.Corpus;

namespace PolicyBot.Host.Tests.Admin;

/// <summary>The pages' HTML built directly, without a server: staleness by date precision, skipped files, confidence.</summary>
public sealed class AdminPagesTests
{
    private static readonly DateOnly Cutoff = new(2024, 1, 1);

    [Theory]
    [InlineData("2023", true)] // the whole of 2023 is before 1 Jan 2024
    [InlineData("2024", false)]
    [InlineData("2023-12", true)]
    [InlineData("2023-12-31", true)]
    [InlineData("2024-01-01", false)]
    [InlineData(" 2023-05 ", true)]
    [InlineData("2023-12-31T23:00:00Z", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("soon", false)]
    [InlineData("2023-13", false)]
    [InlineData("1850", false)] // outside the years SourceDate accepts: unknown, never stale
    public void IsStale_EachPrecision_StaleOnlyWhenTheLastDayItCanMeanIsBeforeTheCutoff(string? published, bool stale) =>
        Assert.Equal(stale, AdminPages.IsStale(published, Cutoff));

    [Fact]
    public void Corpus_YearAndMonthDates_MarkedStaleOrNot_SkippedFilesWithLineAndReason()
    {
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var documents = new[]
        {
            Doc("old-year.md", "2024"),
            Doc("old-month.md", "2025-05"),
            Doc("this-month.md", "2025-06"),
            Doc("undated.md", null),
        };
        var skipped = new[] { new SkippedFile("bad.md", "front matter: <title> is not closed", 3), new SkippedFile("huge.md", "larger than 2 MB") };

        var html = Render(AdminPages.Corpus(documents, skipped, "v1", now, TimeSpan.FromDays(365), now));
        var document = new HtmlParser().ParseDocument(html);

        var rows = document.QuerySelectorAll("tr.document").ToDictionary(r => r.QuerySelector("code")!.TextContent, r => r.ClassList.Contains("stale"));
        Assert.Equal(new Dictionary<string, bool> { ["old-year.md"] = true, ["old-month.md"] = true, ["this-month.md"] = false, ["undated.md"] = false }, rows);
        var skips = document.QuerySelectorAll("table.skipped tbody tr");
        Assert.Equal(2, skips.Length);
        Assert.Equal("bad.md line 3", skips[0].Children[0].TextContent);
        Assert.Equal("front matter: <title> is not closed", skips[0].Children[1].TextContent);
        Assert.DoesNotContain("<title> is", html, StringComparison.Ordinal);
        Assert.Equal("larger than 2 MB", skips[1].Children[1].TextContent);
    }

    [Theory]
    [InlineData(AnswerConfidence.High, "high")]
    [InlineData(AnswerConfidence.Medium, "medium")]
    [InlineData(AnswerConfidence.Low, "low")]
    public void Try_AnswerWithConfidence_ShowsItByName(AnswerConfidence confidence, string shown)
    {
        var answer = new Answer { Id = "a1", Question = "q", Outcome = AnswerOutcome.Answered, Text = "Quoted. [1]", Confidence = confidence };

        var document = new HtmlParser().ParseDocument("<main>" + Render(AdminPages.Try("q", Markup.Empty, 2000, answer, null)) + "</main>");

        var p = document.QuerySelector("p.confidence")!;
        Assert.Equal(shown, p.GetAttribute("data-confidence"));
        Assert.Equal(shown, p.QuerySelector("b")!.TextContent);
        Assert.Equal(confidence == AnswerConfidence.Low, p.TextContent.Contains("coverage gap", StringComparison.Ordinal));
    }

    [Fact]
    public void Try_AbstentionHasNoConfidence()
    {
        var answer = new Answer { Id = "a1", Question = "q", Outcome = AnswerOutcome.Abstained, Text = "Not covered." };

        var document = new HtmlParser().ParseDocument(Render(AdminPages.Try("q", Markup.Empty, 2000, answer, null)));

        Assert.Null(document.QuerySelector("p.confidence"));
        Assert.Equal("abstained", document.QuerySelector("section.result")!.GetAttribute("data-outcome"));
    }

    private static CorpusDocumentInfo Doc(string path, string? published) => new(path, "Title of " + path, "note", "https://example.org/" + path, published, ["EU"], ["topic"], 3, DateTimeOffset.UnixEpoch);

    private static string Render(Markup markup) => markup.ToString();
}
