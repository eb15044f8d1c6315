using System.Globalization;
using PolicyBot.Core.Conversation;
using PolicyBot.Search.Corpus;
using PolicyBot.Core.State;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Admin;

/// <summary>The dashboard's pages as HTML, built in code (compiled with the host; nothing is compiled at run time).</summary>
internal static class AdminPages
{
    /// <summary>Longest question or answer shown in a list; longer ones are clipped with "…".</summary>
    public const int ListTextLimit = 400;

    private static readonly (string Path, string Name)[] Navigation =
    [
        ("/admin", "Overview"),
        ("/admin/gaps", "Coverage gaps"),
        ("/admin/feedback", "Feedback"),
        ("/admin/corpus", "Corpus"),
        ("/admin/try", "Try a question"),
    ];

    /// <summary>The page around <paramref name="body"/>; <paramref name="antiforgery"/> is the hidden field for the sign-out form.</summary>
    public static string Layout(string title, string active, Markup body, Markup antiforgery, bool signOut)
    {
        var html = new HtmlWriter();
        html.Write($"""<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · PolicyBot admin</title><link rel="stylesheet" href="/admin/assets/admin.css"></head><body><header><span class="brand">PolicyBot admin</span><nav>""");
        foreach (var (path, name) in Navigation)
        {
            html.Write($"""<a href="{path}"{(path == active ? new Markup(" aria-current=\"page\"") : Markup.Empty)}>{name}</a>""");
        }

        html.Write($"</nav>");
        if (signOut)
        {
            html.Write($"""<form method="post" action="/admin/signout" class="signout">{antiforgery}<button type="submit">Sign out</button></form>""");
        }

        html.Write($"""</header><main><h1>{title}</h1>{body}</main></body></html>""");
        return html.ToString();
    }

    public static Markup Hidden(string name, string? value) => new HtmlWriter().Write($"""<input type="hidden" name="{name}" value="{value}">""").ToMarkup();

    public static string SignIn(Markup antiforgery, bool failed)
    {
        var body = new HtmlWriter();
        if (failed)
        {
            body.Write($"""<p class="error" role="alert">Sign-in failed.</p>""");
        }

        body.Write($"""<form method="post" action="/admin/signin" class="signin">{antiforgery}<label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required maxlength="1024" autofocus><button type="submit">Sign in</button></form>""");
        body.Write($"""<p class="hint">The token is the value of POLICYBOT_ADMIN_TOKEN on the server.</p>""");
        return Layout("Sign in", "", body.ToMarkup(), antiforgery, signOut: false);
    }

    public static Markup Overview(OverviewModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = new HtmlWriter();
        RangeLinks(html, "/admin", model.Range, model.Platform);
        var totalAnswered = model.Days.Sum(d => d.Answered);
        var totalAbstained = model.Days.Sum(d => d.Abstained);
        var totalRefused = model.Days.Sum(d => d.Refused);
        html.Write($"""<section class="cards"><div class="card"><span class="big" id="total-questions">{totalAnswered + totalAbstained + totalRefused}</span> questions</div><div class="card"><span class="big">{totalAnswered}</span> answered</div><div class="card"><span class="big">{totalAbstained}</span> abstained</div><div class="card"><span class="big">{totalRefused}</span> refused</div><div class="card"><span class="big" id="feedback-ratio">{Ratio(model.Positive, model.Negative)}</span> of rated answers rated up ({model.Positive} up / {model.Negative} down)</div></section>""");
        html.Write($"""<h2>Questions per day{(model.Platform is null ? Markup.Empty : new HtmlWriter().Write($" on {model.Platform}").ToMarkup())}</h2>""");
        DayChart.Write(html, model.Days);
        html.Write($"""<h2>By platform</h2><table class="platforms"><thead><tr><th>Platform</th><th>Questions</th><th>Answered</th><th>Abstained</th><th>Refused</th><th>p50 ms</th><th>p99 ms</th><th>Rated up</th><th>Rated down</th><th>Up ratio</th></tr></thead><tbody>""");
        foreach (var p in model.Platforms)
        {
            html.Write($"""<tr><td><a href="{HtmlText.Url("/admin", ("days", Days(model.Range)), ("platform", p.Platform))}">{p.Platform}</a></td><td>{p.Total}</td><td>{p.Answered}</td><td>{p.Abstained}</td><td>{p.Refused}</td><td>{Ms(p.P50Ms)}</td><td>{Ms(p.P99Ms)}</td><td>{p.Positive}</td><td>{p.Negative}</td><td>{Ratio(p.Positive, p.Negative)}</td></tr>""");
        }

        if (model.Platforms.Count == 0)
        {
            html.Write($"""<tr><td colspan="10">No questions in this range.</td></tr>""");
        }

        html.Write($"""</tbody></table><h2>Per day</h2><table class="days"><thead><tr><th>Day (UTC)</th><th>Answered</th><th>Abstained</th><th>Refused</th><th>p50 ms</th><th>p99 ms</th><th>Rated up</th><th>Rated down</th></tr></thead><tbody>""");
        foreach (var d in model.Days.Reverse())
        {
            html.Write($"""<tr><td>{d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}</td><td>{d.Answered}</td><td>{d.Abstained}</td><td>{d.Refused}</td><td>{Ms(d.P50Ms)}</td><td>{Ms(d.P99Ms)}</td><td>{d.Positive}</td><td>{d.Negative}</td></tr>""");
        }

        html.Write($"</tbody></table>");
        ExportLinks(html, model.Range);
        return html.ToMarkup();
    }

    public static Markup Gaps(DayRange range, IReadOnlyList<GapGroup> groups, int questions, int groupCount)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var html = new HtmlWriter();
        RangeLinks(html, "/admin/gaps", range, null);
        html.Write($"""<p class="hint"><span id="gap-questions">{questions}</span> questions the bot abstained on or answered with low confidence, in <span id="gap-groups">{groupCount}</span> groups of the same main terms (the analysed words without stop words, up to four — the same grouping as <code>policybot report</code>){(groupCount > groups.Count ? new HtmlWriter().Write($"; the {groups.Count} biggest are shown").ToMarkup() : Markup.Empty)}. Examples and closest topics come from each group's newest {GapGroup.Samples} questions.</p>""");
        if (groups.Count == 0)
        {
            html.Write($"""<p class="empty">No coverage gaps in this range.</p>""");
            return html.ToMarkup();
        }

        html.Write($"""<table class="gaps"><thead><tr><th>Main terms</th><th>Asked</th><th>Abstained</th><th>Low confidence</th><th>Examples</th><th>Closest topics named</th><th>Last asked</th><th></th></tr></thead><tbody>""");
        foreach (var g in groups)
        {
            html.Write($"""<tr class="gap"><td class="terms">{g.Terms}</td><td>{g.Asked}</td><td>{g.Abstained}</td><td>{g.LowConfidence}</td><td><ul class="examples">""");
            foreach (var e in g.Examples)
            {
                html.Write($"""<li class="question"><bdi>{HtmlText.Clip(e, ListTextLimit)}</bdi></li>""");
            }

            html.Write($"""</ul></td><td>{string.Join(", ", g.ClosestTopics)}</td><td>{When(g.LastAsked)}</td><td><a class="try" href="{HtmlText.Url("/admin/try", ("q", HtmlText.Clip(g.Examples[0], 2000)))}">Try</a></td></tr>""");
        }

        html.Write($"</tbody></table>");
        return html.ToMarkup();
    }

    public static Markup Feedback(DayRange range, string? platform, IReadOnlyList<string> platforms, IReadOnlyList<AuditRecord> records, Func<string, string> documentTitle)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(documentTitle);
        var html = new HtmlWriter();
        RangeLinks(html, "/admin/feedback", range, platform);
        html.Write($"""<p class="filters">Platform: <a href="{HtmlText.Url("/admin/feedback", ("days", Days(range)))}"{(platform is null ? new Markup(" aria-current=\"true\"") : Markup.Empty)}>all</a>""");
        foreach (var p in platforms)
        {
            html.Write($""" <a href="{HtmlText.Url("/admin/feedback", ("days", Days(range)), ("platform", p))}"{(p == platform ? new Markup(" aria-current=\"true\"") : Markup.Empty)}>{p}</a>""");
        }

        html.Write($"</p>");
        if (records.Count == 0)
        {
            html.Write($"""<p class="empty">No answer was rated down in this range.</p>""");
            return html.ToMarkup();
        }

        foreach (var r in records)
        {
            html.Write($"""<article class="feedback"><header><time datetime="{r.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}">{When(r.At)}</time> · {r.Platform} · {r.Outcome.ToString().ToLowerInvariant()} · corpus {r.CorpusVersion}</header>""");
            html.Write($"""<p class="question"><b>Q:</b> <bdi>{HtmlText.Clip(r.Question, ListTextLimit)}</bdi></p><p class="answer"><b>A:</b> <bdi>{(r.AnswerText is null ? "(answer text not recorded)" : HtmlText.Clip(r.AnswerText, 2 * ListTextLimit))}</bdi></p>""");
            if (r.CitedPassageIds.Count > 0)
            {
                html.Write($"""<ol class="citations">""");
                foreach (var id in r.CitedPassageIds)
                {
                    html.Write($"""<li>{documentTitle(AuditReport.DocumentOf(id))} <code>{id}</code></li>""");
                }

                html.Write($"</ol>");
            }

            var comments = r.Feedback.Where(f => f.Reaction == FeedbackReaction.Negative).ToList();
            html.Write($"""<p class="reactions">rated down {comments.Count}, up {r.Feedback.Count - comments.Count}</p>""");
            foreach (var c in r.Feedback.Where(f => !string.IsNullOrEmpty(f.Comment)))
            {
                html.Write($"""<blockquote class="comment"><bdi>{HtmlText.Clip(c.Comment!, ListTextLimit)}</bdi></blockquote>""");
            }

            html.Write($"</article>");
        }

        return html.ToMarkup();
    }

    public static Markup Corpus(IReadOnlyList<CorpusDocumentInfo> documents, IReadOnlyList<SkippedFile> skipped, string version, DateTimeOffset lastIndexed, TimeSpan staleAfter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(skipped);
        var html = new HtmlWriter();
        var staleBefore = DateOnly.FromDateTime((now - staleAfter).UtcDateTime);
        html.Write($"""<p>{documents.Count} documents, {documents.Sum(d => d.Passages)} passages · corpus version <code>{version}</code> · last indexed {When(lastIndexed)} · stale when published more than {(int)staleAfter.TotalDays} days ago (before {staleBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}).</p>""");
        html.Write($"""<table class="corpus"><thead><tr><th>Document</th><th>Kind</th><th>Jurisdictions</th><th>Topics</th><th>Published / as of</th><th>Passages</th><th>Last indexed</th></tr></thead><tbody>""");
        foreach (var d in documents.OrderBy(d => d.Path, StringComparer.Ordinal))
        {
            var stale = IsStale(d.Published, staleBefore);
            html.Write($"""<tr class="document{(stale ? new Markup(" stale") : Markup.Empty)}"><td>""");
            if (Uri.TryCreate(d.Source, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
            {
                html.Write($"""<a href="{url.AbsoluteUri}" rel="noopener noreferrer">{d.Title}</a>""");
            }
            else
            {
                html.Write($"{d.Title}");
            }

            html.Write($"""<br><code>{d.Path}</code></td><td>{d.Kind}</td><td>{string.Join(", ", d.Jurisdictions)}</td><td>{string.Join(", ", d.Topics)}</td><td>{d.Published ?? "unknown"}{(stale ? new Markup(" <span class=\"badge\">stale</span>") : Markup.Empty)}</td><td>{d.Passages}</td><td>{When(d.LastIndexed)}</td></tr>""");
        }

        html.Write($"</tbody></table><h2>Skipped by the last reload</h2>");
        if (skipped.Count == 0)
        {
            html.Write($"""<p class="empty">No file was skipped.</p>""");
        }
        else
        {
            html.Write($"""<table class="skipped"><thead><tr><th>File</th><th>Reason</th></tr></thead><tbody>""");
            foreach (var s in skipped)
            {
                html.Write($"""<tr><td><code>{s.Path}</code>{(s.Line is { } line ? new HtmlWriter().Write($" line {line}").ToMarkup() : Markup.Empty)}</td><td>{s.Reason}</td></tr>""");
            }

            html.Write($"</tbody></table>");
        }

        return html.ToMarkup();
    }

    public static Markup Try(string? question, Markup antiforgery, int maxLength, Answer? answer, AnswerExplanation? explanation)
    {
        var html = new HtmlWriter();
        html.Write($"""<form method="post" action="/admin/try" class="try">{antiforgery}<label for="q">Question</label><textarea id="q" name="q" rows="3" maxlength="{maxLength}" required>{question}</textarea><button type="submit">Ask</button></form>""");
        html.Write($"""<p class="hint">Answered by the live index exactly as a user's question is, but not recorded in the audit trail.</p>""");
        if (answer is null)
        {
            return html.ToMarkup();
        }

        html.Write($"""<section class="result" data-outcome="{answer.Outcome.ToString().ToLowerInvariant()}"><h2>{(answer.Answered ? "Answer" : answer.Outcome == AnswerOutcome.Abstained ? "Abstained" : "Refused")}</h2><p class="answer"><bdi>{answer.Text}</bdi></p>""");
        if (answer.Confidence is { } confidence)
        {
            html.Write($"""<p class="confidence" data-confidence="{confidence.ToString().ToLowerInvariant()}">Confidence: <b>{confidence.ToString().ToLowerInvariant()}</b> — {ConfidenceMeaning(confidence)}</p>""");
        }

        if (answer.Reason is { } reason)
        {
            html.Write($"""<p class="reason">Reason: {reason}</p>""");
        }

        if (answer.SuggestedTopics.Count > 0)
        {
            html.Write($"""<p class="topics">Closest topics: {string.Join(", ", answer.SuggestedTopics)}</p>""");
        }

        if (answer.Citations.Count > 0)
        {
            html.Write($"""<ol class="citations">""");
            foreach (var c in answer.Citations)
            {
                html.Write($"""<li value="{c.Rank}"><b>{c.Title}</b>{(c.Section.Length > 0 ? new HtmlWriter().Write($" › {c.Section}").ToMarkup() : Markup.Empty)} <span class="score">score {c.Score:0.000}</span>""");
                if (c.SourceUrl is { } url)
                {
                    html.Write($""" <a href="{url.AbsoluteUri}" rel="noopener noreferrer">source</a>""");
                }

                html.Write($"""<blockquote>{c.Passage}</blockquote></li>""");
            }

            html.Write($"</ol>");
        }

        html.Write($"""<p class="meta">Corpus {answer.CorpusVersion} · {answer.Elapsed.TotalMilliseconds:0.0} ms</p></section>""");
        if (explanation is not null)
        {
            html.Write($"""<section class="explain"><h2>Explain</h2><p>Parsed: <code>{explanation.Parsed}</code></p><table><thead><tr><th>Score</th><th>Coverage</th><th>Passage</th><th>Term contributions</th></tr></thead><tbody>""");
            foreach (var h in explanation.Hits)
            {
                html.Write($"""<tr><td>{h.Score:0.000}</td><td>{h.Coverage:0.00}</td><td>{HtmlText.Clip(h.Passage, 160)}</td><td>{string.Join("  ", h.Terms.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Term}={t.Contribution:0.00}")))}</td></tr>""");
            }

            html.Write($"</tbody></table></section>");
        }

        return html.ToMarkup();
    }

    /// <summary>
    /// Stale: even the last day the date can mean is before <paramref name="staleBefore"/> — "2023" counts from
    /// 31 Dec 2023, "2023-05" from 31 May 2023 (front matter writes dates to the precision known). Unknown: not stale.
    /// </summary>
    internal static bool IsStale(string? published, DateOnly staleBefore)
    {
        if (!SourceDate.TryParse(published, out var date))
        {
            return false;
        }

        var last = date.Precision switch
        {
            DatePrecision.Year => new DateOnly(date.Year, 12, 31),
            DatePrecision.Month => new DateOnly(date.Year, date.Month, DateTime.DaysInMonth(date.Year, date.Month)),
            _ => new DateOnly(date.Year, date.Month, date.Day),
        };
        return last < staleBefore;
    }

    private static string ConfidenceMeaning(AnswerConfidence confidence) => confidence switch
    {
        AnswerConfidence.High => "the cited passages cover the question and the rankings agree.",
        AnswerConfidence.Medium => "the cited passages cover most of the question.",
        _ => "the corpus only partly covers the question; this question counts as a coverage gap.",
    };

    private static void RangeLinks(HtmlWriter html, string path, DayRange range, string? platform)
    {
        html.Write($"""<p class="range">Range:""");
        foreach (var n in DayRange.Choices)
        {
            html.Write($""" <a href="{HtmlText.Url(path, ("days", n.ToString(CultureInfo.InvariantCulture)), ("platform", platform))}"{(n == range.Days ? new Markup(" aria-current=\"true\"") : Markup.Empty)}>{n} days</a>""");
        }

        html.Write($""" · {range.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} to {range.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} (UTC)</p>""");
    }

    private static void ExportLinks(HtmlWriter html, DayRange range)
    {
        html.Write($"""<h2>Export the audit trail</h2><p class="export">Since {range.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: <a href="{HtmlText.Url("/admin/export", ("format", "csv"), ("days", Days(range)))}" download>CSV</a> · <a href="{HtmlText.Url("/admin/export", ("format", "jsonl"), ("days", Days(range)))}" download>JSON lines</a> (the same export as <code>policybot audit export</code>)</p>""");
    }

    private static string Days(DayRange range) => range.Days.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private static string Ratio(int positive, int negative) =>
        positive + negative == 0 ? "–" : ((double)positive / (positive + negative)).ToString("0%", CultureInfo.InvariantCulture);

    private static string When(DateTimeOffset at) => at == DateTimeOffset.MinValue ? "never" : at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
