using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Admin;
using PolicyBot.Host.Serve;
using PolicyBot.Host.Tests.Serve;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Index;

namespace PolicyBot.Host.Tests.Admin;

/// <summary>The dashboard over real HTTP on loopback: auth, headers, pages, escaping, export. No browser.</summary>
public sealed class AdminHttpTests : IAsyncLifetime
{
    private static readonly string[] Pages = ["/admin", "/admin/gaps", "/admin/feedback", "/admin/corpus", "/admin/try"];

    private readonly TestCorpus _corpus = new(CorpusSet.Widgets);
    private AdminTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _corpus.Write("broken.md", "---\ntitle: [unclosed\n---\nbody");
        _host = await AdminTestHost.StartAsync(_corpus, new() { ["POLICYBOT_ADMIN_STALE_DAYS"] = "30", ["POLICYBOT_ADMIN_SIGNIN_PER_MINUTE"] = "20" });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _corpus.Dispose();
    }

    [Fact]
    public async Task SignIn_WrongToken_Returns401WithNoDetailAndLogsNoToken()
    {
        using var http = _host.Client();
        using var wrong = await AdminTestHost.PostFormAsync(http, "/admin/signin", "/admin/signin", ("token", "not-the-token-but-long-enough"));
        var body = await wrong.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Sign-in failed.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", body, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminTestHost.Token, body, StringComparison.Ordinal);
        Assert.False(wrong.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(AdminEndpoints.CookieName + "=", StringComparison.Ordinal)));
        using var page = await http.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.DoesNotContain(_host.Logs.Lines, l => l.Contains(AdminTestHost.Token, StringComparison.Ordinal) || l.Contains("not-the-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_RightToken_SetsHttpOnlySameSiteStrictCookieAndOpensThePages()
    {
        using var http = _host.Client();
        using var response = await AdminTestHost.PostFormAsync(http, "/admin/signin", "/admin/signin", ("token", AdminTestHost.Token));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AdminEndpoints.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/admin", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain HTTP here; HTTPS requests get Secure (SameAsRequest)
        Assert.DoesNotContain(AdminTestHost.Token, cookie, StringComparison.Ordinal);
        foreach (var page in Pages)
        {
            using var ok = await http.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("text/html", ok.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryField_Returns400AndDoesNotSignIn()
    {
        using var http = _host.Client();
        _ = await http.GetStringAsync("/admin/signin");
        using var response = await http.PostAsync("/admin/signin", new FormUrlEncodedContent([new("token", AdminTestHost.Token)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var page = await http.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task SignIn_MoreAttemptsThanTheLimit_Returns429()
    {
        await using var host = await AdminTestHost.StartAsync(_corpus, new() { ["POLICYBOT_ADMIN_SIGNIN_PER_MINUTE"] = "3" });
        using var http = host.Client();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await AdminTestHost.PostFormAsync(http, "/admin/signin", "/admin/signin", ("token", "wrong-token-attempt-" + i));
            codes.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task Pages_SignedOut_RedirectToSignIn()
    {
        using var http = _host.Client();
        foreach (var page in Pages.Append("/admin/export?format=csv"))
        {
            using var response = await http.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("http", response.Headers.Location?.ToString(), StringComparison.Ordinal);
            Assert.Contains("/admin/signin?return=", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        using var post = await http.PostAsync("/admin/try", new FormUrlEncodedContent([new("q", "x")]));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
    }

    [Fact]
    public async Task SignOut_WithItsForm_EndsTheSession()
    {
        using var http = await _host.SignedInClientAsync();
        using var signOut = await AdminTestHost.PostFormAsync(http, "/admin", "/admin/signout");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var page = await http.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task EveryResponse_SendsTheSecurityHeaders()
    {
        using var http = await _host.SignedInClientAsync();
        foreach (var path in Pages.Concat(["/admin/signin", "/admin/assets/admin.css", "/admin/export?format=csv", "/healthz", "/readyz", "/metrics", "/no-such-page"]))
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(AdminEndpoints.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("same-origin", string.Join(",", response.Headers.GetValues("Cross-Origin-Opener-Policy")));
            if (path.StartsWith("/admin", StringComparison.Ordinal))
            {
                Assert.True(response.Headers.CacheControl?.NoStore, $"{path}: Cache-Control {response.Headers.CacheControl}");
            }
        }

        // The pages' no-store is the value antiforgery wants: no "headers overridden" warning on every view.
        Assert.DoesNotContain(_host.Logs.Lines, l => l.Contains("'Cache-Control'", StringComparison.Ordinal));

        Assert.DoesNotContain("'unsafe-inline'", AdminEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("script-src", AdminEndpoints.ContentSecurityPolicy.Replace("default-src 'none'", "script-src", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_HaveNoInlineScriptOrStyle()
    {
        await _host.SeedAsync(days: 3, perDay: 5);
        using var http = await _host.SignedInClientAsync();
        foreach (var page in Pages)
        {
            var document = Parse(await http.GetStringAsync(page));
            Assert.Empty(document.QuerySelectorAll("script"));
            Assert.Empty(document.QuerySelectorAll("style"));
            Assert.Empty(document.QuerySelectorAll("[style]"));
            Assert.All(document.QuerySelectorAll("*").SelectMany(e => e.Attributes), a => Assert.False(a.Name.StartsWith("on", StringComparison.Ordinal), a.Name));
            Assert.All(document.QuerySelectorAll("form"), f => Assert.Equal("post", f.GetAttribute("method")));
            Assert.All(document.QuerySelectorAll("form"), f => Assert.NotNull(f.QuerySelector("input[name=__af]")));
        }
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("30", 30)]
    [InlineData("90", 90)]
    [InlineData(null, 30)]
    [InlineData("12345", 30)]
    public async Task Overview_Range_ChartHasOneMarkPerDayAndTheSeededCounts(string? days, int expected)
    {
        await _host.SeedAsync(days: 10, perDay: 5);
        using var http = await _host.SignedInClientAsync();
        var document = Parse(await http.GetStringAsync(days is null ? "/admin" : "/admin?days=" + days));

        var marks = document.QuerySelectorAll("svg.chart g.day");
        Assert.Equal(expected, marks.Length);
        Assert.Equal(marks.Select(m => m.GetAttribute("data-day")).Distinct().Count(), marks.Length);
        var seeded = Math.Min(10, expected);
        Assert.Equal(seeded * 3, marks.Sum(m => int.Parse(m.GetAttribute("data-answered")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(seeded, marks.Sum(m => int.Parse(m.GetAttribute("data-abstained")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal((seeded * 5).ToString(System.Globalization.CultureInfo.InvariantCulture), document.QuerySelector("#total-questions")?.TextContent);
        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), marks[^1].GetAttribute("data-day"));
        Assert.Contains("discord", document.QuerySelector("table.platforms")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("teams", document.QuerySelector("table.platforms")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_Latencies_ExactNearestRankPercentilesThatFollowNewQuestions()
    {
        var noon = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(12), TimeSpan.Zero);
        for (var i = 1; i <= 100; i++)
        {
            await _host.Store.RecordQuestionAsync(new AuditRecord { AnswerId = "d" + i, At = noon.AddSeconds(i), Platform = "discord", Question = "q", Outcome = AnswerOutcome.Answered, LatencyMs = i }, CancellationToken.None);
        }

        for (var i = 1; i <= 10; i++)
        {
            await _host.Store.RecordQuestionAsync(new AuditRecord { AnswerId = "t" + i, At = noon.AddDays(-1).AddSeconds(i), Platform = "teams", Question = "q", Outcome = i == 10 ? AnswerOutcome.Refused : AnswerOutcome.Abstained, LatencyMs = i * 10 }, CancellationToken.None);
        }

        using var http = await _host.SignedInClientAsync();
        var first = Parse(await http.GetStringAsync("/admin?days=7"));
        await _host.Store.RecordQuestionAsync(new AuditRecord { AnswerId = "late", At = noon.AddMinutes(30), Platform = "discord", Question = "q", Outcome = AnswerOutcome.Answered, LatencyMs = 5000 }, CancellationToken.None);
        var second = Parse(await http.GetStringAsync("/admin?days=7"));

        string[] Row(IHtmlDocument d, string table, int row) => d.QuerySelectorAll($"table.{table} tbody tr")[row].Children.Select(c => c.TextContent).ToArray();
        Assert.Equal(["discord", "100", "100", "0", "0", "50.0", "99.0"], Row(first, "platforms", 0)[..7]);
        Assert.Equal(["teams", "10", "0", "9", "1", "50.0", "90.0"], Row(first, "platforms", 1)[..7]); // the refusal's latency is not a sample
        Assert.Equal(["50.0", "99.0"], Row(first, "days", 0)[4..6]);
        Assert.Equal(["50.0", "90.0"], Row(first, "days", 1)[4..6]);
        Assert.Equal(["discord", "101", "101", "0", "0", "51.0", "100.0"], Row(second, "platforms", 0)[..7]);
        Assert.Equal(["51.0", "100.0"], Row(second, "days", 0)[4..6]);
        Assert.Equal(["50.0", "90.0"], Row(second, "days", 1)[4..6]);
    }

    [Fact]
    public async Task Gaps_SeededAbstentionsAndLowConfidenceAnswers_GroupedByMainTermsWithTopicsAndTryLink()
    {
        await _host.SeedAsync(days: 4, perDay: 5);
        using var http = await _host.SignedInClientAsync();
        var document = Parse(await http.GetStringAsync("/admin/gaps?days=7"));

        // Each day: one abstention about Peru (i = 3), one answer of low confidence (i = 2); high-confidence answers and refusals are no gaps.
        var groups = document.QuerySelectorAll("tr.gap");
        Assert.Equal(2, groups.Length);
        Assert.Equal("8", document.QuerySelector("#gap-questions")?.TextContent);
        Assert.Equal("2", document.QuerySelector("#gap-groups")?.TextContent);
        var peru = groups[0];
        Assert.Equal(QuestionTerms.Default.MainTerms("What is the capital of Peru (1)?"), peru.QuerySelector(".terms")?.TextContent);
        Assert.Equal(["4", "4", "0"], peru.Children.Skip(1).Take(3).Select(c => c.TextContent));
        Assert.Contains("widgets", peru.TextContent, StringComparison.Ordinal);
        var link = peru.QuerySelector("a.try")!.GetAttribute("href")!;
        Assert.StartsWith("/admin/try?q=", link, StringComparison.Ordinal);
        Assert.Contains("Peru", Uri.UnescapeDataString(link), StringComparison.Ordinal);
        var unsure = groups[1];
        Assert.Equal(QuestionTerms.Default.MainTerms(CorpusQuestions.Widgets.Fine), unsure.QuerySelector(".terms")?.TextContent);
        Assert.Equal(["4", "0", "4"], unsure.Children.Skip(1).Take(3).Select(c => c.TextContent));
        Assert.Equal(CorpusQuestions.Widgets.Fine, Assert.Single(unsure.QuerySelectorAll(".examples li")).TextContent);
    }

    [Fact]
    public async Task Gaps_RecordsWrittenBeforeSchema5_CountedOnceTheBackfillGaveThemTerms()
    {
        // As schema version 3 wrote them: no main terms. The serve host fills them in the background.
        for (var i = 0; i < 3; i++)
        {
            await _host.Store.RecordQuestionAsync(new AuditRecord { AnswerId = "legacy-" + i, At = DateTimeOffset.UtcNow.AddMinutes(-i), Platform = "discord", Question = "Which rules apply to zorblax mining?", Outcome = AnswerOutcome.Abstained }, CancellationToken.None);
        }

        using var http = await _host.SignedInClientAsync();
        Assert.Empty(Parse(await http.GetStringAsync("/admin/gaps?days=7")).QuerySelectorAll("tr.gap"));

        Assert.Equal(3, await _host.Store.FillMainTermsAsync(QuestionTerms.Default, AuditTermsBackfillService.Batch, CancellationToken.None));
        var group = Assert.Single(Parse(await http.GetStringAsync("/admin/gaps?days=7")).QuerySelectorAll("tr.gap"));
        Assert.Equal(QuestionTerms.Default.MainTerms("Which rules apply to zorblax mining?"), group.QuerySelector(".terms")?.TextContent);
        Assert.Equal("3", group.Children[1].TextContent);
    }

    [Fact]
    public async Task Feedback_SeededThumbsDown_ListedWithAnswerCitationsAndVersion_FilteredByPlatform()
    {
        await _host.SeedAsync(days: 2, perDay: 5);
        using var http = await _host.SignedInClientAsync();
        var all = Parse(await http.GetStringAsync("/admin/feedback?days=7"));
        var teams = Parse(await http.GetStringAsync("/admin/feedback?days=7&platform=teams"));

        var items = all.QuerySelectorAll("article.feedback");
        Assert.Equal(2, items.Length); // i = 0 of each day: answered, discord, 👎
        Assert.All(items, i => Assert.Contains("The maximum fine is seven percent [1].", i.TextContent, StringComparison.Ordinal));
        Assert.All(items, i => Assert.Contains("The Widget Safety Act", i.QuerySelector("ol.citations")!.TextContent, StringComparison.Ordinal));
        Assert.All(items, i => Assert.Contains("seed-v1", i.TextContent, StringComparison.Ordinal));
        Assert.Empty(teams.QuerySelectorAll("article.feedback"));
    }

    [Fact]
    public async Task Corpus_ListsDocumentsMarksStaleOnesAndNamesSkippedFiles()
    {
        using var http = await _host.SignedInClientAsync();
        var document = Parse(await http.GetStringAsync("/admin/corpus"));

        var rows = document.QuerySelectorAll("tr.document");
        Assert.Equal(2, rows.Length);
        Assert.All(rows, r => Assert.Contains("stale", r.ClassName, StringComparison.Ordinal)); // published 2025-01-01, stale after 30 days
        Assert.Contains("The Widget Safety Act", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("XX", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("widgets", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("https://example.org/widget-safety-act", rows[1].QuerySelector("a")?.GetAttribute("href"));
        var skipped = document.QuerySelector("table.skipped")!;
        Assert.Contains("broken.md", skipped.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileQuestion_OnEveryPage_ShownAsTextNeverAsMarkup()
    {
        var hostile = new[]
        {
            "<script>alert('x')</script> what is the zorblax treaty?",
            "<a href=\"javascript:alert(1)\">click</a> zorblax",
            "\"><img src=x onerror=alert(1)> zorblax",
            "zorblax \u202Egnp.exe\u202C override \u2066isolate\u2069",
            "zorblax " + new string('A', 100 * 1024),
        };
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < hostile.Length; i++)
        {
            var id = "hostile-" + i;
            await _host.RecordAsync(new AuditRecord { AnswerId = id, At = now.AddMinutes(-i), Platform = "discord", Question = hostile[i], Outcome = AnswerOutcome.Abstained, AnswerText = hostile[i], SuggestedTopics = ["<b>topic</b>"] });
            await _host.Store.RecordAsync(new Feedback(id, "discord", "u", FeedbackReaction.Negative, hostile[i], now), CancellationToken.None);
        }

        using var http = await _host.SignedInClientAsync();
        foreach (var page in new[] { "/admin/gaps", "/admin/feedback", "/admin/try?q=" + Uri.EscapeDataString(hostile[0] + hostile[1] + hostile[3]) })
        {
            var html = await http.GetStringAsync(page);
            var document = Parse(html);
            Assert.Empty(document.QuerySelectorAll("script"));
            Assert.Empty(document.QuerySelectorAll("img"));
            Assert.DoesNotContain(document.QuerySelectorAll("main b"), b => b.TextContent == "topic");
            Assert.DoesNotContain(document.QuerySelectorAll("a"), a => (a.GetAttribute("href") ?? "").Contains("javascript:", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(document.QuerySelectorAll("*").SelectMany(e => e.Attributes), a => a.Name == "onerror");
            Assert.DoesNotContain('\u202E', html);
            Assert.DoesNotContain("&#x202E;", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("<script>alert('x')</script>", document.Body!.TextContent, StringComparison.Ordinal);
            Assert.Contains("[U+202E]", document.Body.TextContent, StringComparison.Ordinal);
            Assert.True(html.Length < 64 * 1024, $"{page} is {html.Length} characters: the 100 KB paste was not clipped");
        }
    }

    [Fact]
    public async Task Try_PostedQuestion_AnswersWithCitationsAndExplainAndRecordsNothing()
    {
        using var http = await _host.SignedInClientAsync();
        using var response = await AdminTestHost.PostFormAsync(http, "/admin/try", "/admin/try", ("q", CorpusQuestions.Widgets.Fine));
        var document = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("answered", document.QuerySelector("section.result")?.GetAttribute("data-outcome"));
        Assert.Contains("seven percent", document.QuerySelector("section.result .answer")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("The Widget Safety Act", document.QuerySelector("ol.citations")!.TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(document.QuerySelectorAll("section.explain tbody tr"));
        Assert.Equal(CorpusQuestions.Widgets.Fine, document.QuerySelector("textarea#q")?.TextContent);
        var expected = (await _host.App.Services.GetRequiredService<LiveIndex>().AnswerAsync(new Question(CorpusQuestions.Widgets.Fine, new QuestionContext("admin")), CancellationToken.None)).Confidence;
        Assert.NotNull(expected);
        var confidence = document.QuerySelector("section.result p.confidence");
        Assert.Equal(expected.Value.ToString().ToLowerInvariant(), confidence?.GetAttribute("data-confidence"));
        Assert.Equal(expected.Value.ToString().ToLowerInvariant(), confidence?.QuerySelector("b")?.TextContent);
        await foreach (var record in _host.Store.ReadAuditAsync(null, CancellationToken.None))
        {
            Assert.Fail("Try recorded " + record.AnswerId);
        }
    }

    [Fact]
    public async Task Try_HugePaste_RefusedPolitely()
    {
        using var http = await _host.SignedInClientAsync();
        using var response = await AdminTestHost.PostFormAsync(http, "/admin/try", "/admin/try", ("q", new string('x', 100 * 1024)));
        var document = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("refused", document.QuerySelector("section.result")?.GetAttribute("data-outcome"));
        Assert.Contains("too long", document.QuerySelector("section.result")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Try_WithoutAntiforgeryField_Returns400()
    {
        using var http = await _host.SignedInClientAsync();
        using var response = await http.PostAsync("/admin/try", new FormUrlEncodedContent([new("q", CorpusQuestions.Widgets.Fine)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Export_CsvAndJsonl_DownloadTheAuditTrailWithFormulasDefused()
    {
        await _host.Store.RecordQuestionAsync(new AuditRecord { AnswerId = "formula", At = DateTimeOffset.UtcNow, Platform = "teams", Question = "=HYPERLINK(\"http://evil\")", Outcome = AnswerOutcome.Answered, Confidence = "Low" }, CancellationToken.None);
        using var http = await _host.SignedInClientAsync();
        using var csv = await http.GetAsync("/admin/export?format=csv&days=7");
        using var jsonl = await http.GetAsync("/admin/export?format=jsonl&days=7");
        var csvText = await csv.Content.ReadAsStringAsync();
        var jsonText = await jsonl.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var lines = csvText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(AuditExport.CsvHeader, lines[0].TrimEnd('\r'));
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\")\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(AuditExport.Csv((await ReadAllAsync())[0]), lines[1].TrimEnd('\r'));
        Assert.EndsWith(",low", lines[1].TrimEnd('\r'), StringComparison.Ordinal);
        Assert.EndsWith(",confidence", lines[0].TrimEnd('\r'), StringComparison.Ordinal);
        Assert.Contains("\"confidence\":\"low\"", jsonText, StringComparison.Ordinal);
        Assert.Equal("application/x-ndjson", jsonl.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AuditExport.Json((await ReadAllAsync())[0]), jsonText.TrimEnd('\n', '\r'));
    }

    [Fact]
    public async Task Dashboard_NoTokenSetting_IsNotServed()
    {
        await using var host = await ServeTestHost.StartAsync(_corpus);
        using var response = await host.Http.GetAsync("/admin");
        using var signIn = await host.Http.GetAsync("/admin/signin");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.Equal(AdminEndpoints.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task LocalMode_LoopbackClientAskingForLocalhost_ServedWithoutSignIn_OtherHostNamesNotFound()
    {
        await using var host = await AdminTestHost.StartAsync(_corpus, new() { ["POLICYBOT_ADMIN_TOKEN"] = "", ["POLICYBOT_ADMIN_LOCAL"] = "true" });
        var port = new Uri(host.BaseUrl).Port;
        using var local = host.Client($"http://localhost:{port}");
        using var rebound = host.Client(host.BaseUrl);
        using var page = await local.GetAsync("/admin");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Host = "attacker.example";
        using var other = await rebound.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(Parse(await page.Content.ReadAsStringAsync()).QuerySelectorAll("form.signout"));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        using var tried = await AdminTestHost.PostFormAsync(local, "/admin/try", "/admin/try", ("q", CorpusQuestions.Widgets.Fine));
        Assert.Equal(HttpStatusCode.OK, tried.StatusCode);
    }

    [Theory]
    [InlineData("POLICYBOT_ADMIN_TOKEN", "short", "at least 16 characters")]
    [InlineData("POLICYBOT_ADMIN_LOCAL", "maybe", "must be true or false")]
    [InlineData("POLICYBOT_ADMIN_STALE_DAYS", "-3", "whole number of days")]
    [InlineData("POLICYBOT_ADMIN_STALE_DAYS", "0", "at least 1 day")]
    [InlineData("POLICYBOT_ADMIN_LOCAL", "true", "not both")]
    [InlineData("POLICYBOT_ADMIN_SIGNIN_PER_MINUTE", "0", "from 1 to 1000")]
    public void Build_BadAdminSetting_RefusedAtStartNamingTheSetting(string key, string value, string message)
    {
        var config = new Dictionary<string, string?> { ["POLICYBOT_HTTP_URL"] = "http://127.0.0.1:0", ["DISCORD_TOKEN"] = "", ["TEAMS_APP_ID"] = "", ["POLICYBOT_ADMIN_TOKEN"] = AdminTestHost.Token, [key] = value };
        var ex = Assert.Throws<ServeConfigurationException>(() => ServeHost.Build(new ServeSettings { Engine = _corpus.Options() }, false, false, config));

        Assert.Contains(ex.Problems, p => p.Contains(key, StringComparison.Ordinal) && p.Contains(message, StringComparison.Ordinal));
        Assert.DoesNotContain(AdminTestHost.Token, ex.Message, StringComparison.Ordinal);
    }

    private static IHtmlDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    private async Task<List<AuditRecord>> ReadAllAsync()
    {
        var list = new List<AuditRecord>();
        await foreach (var r in _host.Store.ReadAuditAsync(null, CancellationToken.None))
        {
            list.Add(r);
        }

        return list;
    }
}
