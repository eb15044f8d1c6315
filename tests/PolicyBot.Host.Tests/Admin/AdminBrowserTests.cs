using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PolicyBot.Host.Tests.Admin;

/// <summary>
/// The dashboard in a real browser (headless Debian Chromium through Playwright). Skipped — with the reason, never
/// passed — when Chromium is not installed.
/// </summary>
public sealed class AdminBrowserTests(AdminBrowserFixture fixture, ITestOutputHelper output) : IClassFixture<AdminBrowserFixture>
{
    [SkippableFact]
    public async Task SignIn_WrongTokenRefused_RightTokenAccepted()
    {
        SkipWithoutChromium();
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/admin");
        Assert.EndsWith("/admin/signin?return=%2Fadmin", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#token", "definitely-not-the-admin-token");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Url.EndsWith("/admin/signin", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(401, refused.Status);
        Assert.Equal("Sign-in failed.", await page.TextContentAsync("p.error"));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "policybot-admin");

        await page.FillAsync("#token", AdminTestHost.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/admin");
        Assert.Equal("Overview", await page.TextContentAsync("h1"));
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "policybot-admin");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof document.cookie.split('; ').find(c => c.startsWith('policybot-admin='))"));
    }

    [SkippableFact]
    public async Task EachPage_RendersTheSeededDataWithNoConsoleErrorOrCspViolation()
    {
        SkipWithoutChromium();
        var page = await fixture.SignedInPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };

        await page.ClickAsync("nav >> text=Overview");
        Assert.Equal(30, await page.Locator("svg.chart g.day").CountAsync());
        Assert.True(int.Parse(await page.TextContentAsync("#total-questions") ?? "0", CultureInfo.InvariantCulture) > 300);
        Assert.Equal(2, await page.Locator("table.platforms tbody tr").CountAsync());

        await page.ClickAsync("nav >> text=Coverage gaps");
        Assert.Equal("Coverage gaps", await page.TextContentAsync("h1"));
        Assert.True(await page.Locator("tr.gap").CountAsync() >= 3);
        Assert.Contains("widgets", await page.TextContentAsync("table.gaps") ?? "", StringComparison.Ordinal);

        // Answers of low confidence are gaps too: their group counts them in the Low confidence column.
        var low = await page.Locator("tr.gap td:nth-child(4)").AllTextContentsAsync();
        Assert.Contains(low, t => int.Parse(t, CultureInfo.InvariantCulture) > 0);
        await ScreenshotAsync(page, "admin-gaps.png");

        await page.ClickAsync("nav >> text=Feedback");
        Assert.True(await page.Locator("article.feedback").CountAsync() >= 2);
        Assert.Contains("build-7+git:1a2b3c4", await page.TextContentAsync("main") ?? "", StringComparison.Ordinal);

        await page.ClickAsync("nav >> text=Corpus");
        Assert.Equal(2, await page.Locator("tr.document").CountAsync());
        Assert.Contains("The Widget Safety Act", await page.TextContentAsync("table.corpus") ?? "", StringComparison.Ordinal);

        await page.ClickAsync("nav >> text=Try a question");
        Assert.Equal(1, await page.Locator("form.try textarea#q").CountAsync());

        // The stylesheet loaded under the CSP (style-src 'self'): the chart's bars are coloured by it.
        await page.ClickAsync("nav >> text=Overview");
        Assert.Equal("rgb(46, 139, 87)", await page.EvalOnSelectorAsync<string>("svg.chart rect.answered", "e => getComputedStyle(e).fill"));
        Assert.Empty(errors);
        await ScreenshotAsync(page, "admin-overview.png");
    }

    [SkippableFact]
    public async Task Chart_EachRange_HasOneMarkPerDay()
    {
        SkipWithoutChromium();
        var page = await fixture.SignedInPageAsync();
        foreach (var days in new[] { 7, 90, 30 })
        {
            await page.ClickAsync($"p.range >> text={days} days");
            await page.WaitForURLAsync($"**/admin?days={days}");
            var marks = page.Locator("svg.chart g.day");
            Assert.Equal(days, await marks.CountAsync());
            var dates = await marks.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.day)");
            Assert.Equal(days, dates.Distinct().Count());
            Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), dates[^1]);
            var box = await page.Locator("svg.chart").BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width > 300, "the chart is drawn");
        }
    }

    [SkippableFact]
    public async Task HostileQuestion_InTheAuditTrail_IsShownAsTextAndNeverRuns()
    {
        SkipWithoutChromium();
        var page = await fixture.SignedInPageAsync();
        var dialogs = 0;
        page.Dialog += (_, d) =>
        {
            dialogs++;
            _ = d.DismissAsync();
        };

        foreach (var path in new[] { "/admin/gaps", "/admin/feedback" })
        {
            await page.GotoAsync(path);
            var main = await page.TextContentAsync("main") ?? "";
            Assert.Contains("<script>window.__pwned = 1</script>", main, StringComparison.Ordinal);
            Assert.Contains("[U+202E]", main, StringComparison.Ordinal);
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
            Assert.Equal(0, await page.Locator("main script, main img, main a[href^='javascript:']").CountAsync());
        }

        await page.GotoAsync("/admin/gaps");
        await page.ClickAsync("a.try >> nth=0");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__pwned"));
        Assert.Equal(0, dialogs);
    }

    [SkippableFact]
    public async Task Try_FromACoverageGap_PrefillsTheQuestionAndAnswers()
    {
        SkipWithoutChromium();
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/admin/gaps");
        var example = await page.TextContentAsync("tr.gap >> nth=0 >> li.question");
        await page.ClickAsync("tr.gap >> nth=0 >> a.try");
        await page.WaitForURLAsync("**/admin/try?q=*");
        Assert.Equal(example?.Trim(), (await page.InputValueAsync("#q")).Trim());
        Assert.Equal("Try a question", await page.TextContentAsync("h1"));

        await page.FillAsync("#q", CorpusQuestions.Widgets.Fine);
        await page.ClickAsync("form.try button[type=submit]");
        await page.WaitForSelectorAsync("section.result");
        Assert.Equal("answered", await page.GetAttributeAsync("section.result", "data-outcome"));
        Assert.Contains("seven percent", await page.TextContentAsync("section.result .answer") ?? "", StringComparison.Ordinal);
        Assert.Contains("The Widget Safety Act", await page.TextContentAsync("ol.citations") ?? "", StringComparison.Ordinal);
        Assert.True(await page.Locator("section.explain tbody tr").CountAsync() >= 1);
        Assert.Contains(await page.GetAttributeAsync("section.result p.confidence", "data-confidence"), new[] { "high", "medium", "low" });
        Assert.StartsWith("Confidence:", (await page.TextContentAsync("section.result p.confidence"))?.Trim(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "admin-try.png");
    }

    [SkippableFact]
    public async Task Export_CsvAndJsonLinks_DownloadTheAuditTrail()
    {
        SkipWithoutChromium();
        var page = await fixture.SignedInPageAsync();
        foreach (var (link, first) in new[] { ("CSV", "answer_id,at,platform"), ("JSON lines", "{\"answer_id\":") })
        {
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"p.export >> text={link}"));
            var file = Path.Combine(Path.GetTempPath(), "policybot-admin-" + Guid.NewGuid().ToString("N"));
            await download.SaveAsAsync(file);
            try
            {
                var lines = await File.ReadAllLinesAsync(file);
                Assert.StartsWith("policybot-audit-since-", download.SuggestedFilename, StringComparison.Ordinal);
                Assert.StartsWith(first, lines[0], StringComparison.Ordinal);
                Assert.True(lines.Length > 300, $"{link}: {lines.Length} lines");
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    private void SkipWithoutChromium()
    {
        if (fixture.SkipReason is { } reason)
        {
            output.WriteLine(reason);
        }

        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
    }

    /// <summary>Saves a screenshot beside the test binaries, and into <c>POLICYBOT_SCREENSHOT_DIR</c> when set (how docs/ gets its PNGs).</summary>
    private async Task ScreenshotAsync(IPage page, string name)
    {
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = false });
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, name), bytes);
        if (Environment.GetEnvironmentVariable("POLICYBOT_SCREENSHOT_DIR") is { Length: > 0 } docs)
        {
            Directory.CreateDirectory(docs);
            await File.WriteAllBytesAsync(Path.Combine(docs, name), bytes);
        }

        output.WriteLine($"screenshot {name}: {bytes.Length} bytes");
    }
}
