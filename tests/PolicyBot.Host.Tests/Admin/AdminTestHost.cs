using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Serve;
using PolicyBot.Host.Tests.Serve;
using PolicyBot.Search.Analysis;

namespace PolicyBot.Host.Tests.Admin;

/// <summary>
/// The real <c>serve</c> host with only the dashboard on (no platform), Kestrel on 127.0.0.1:0, a real index over a
/// temp corpus and the real SQLite store beside it.
/// </summary>
internal sealed partial class AdminTestHost : IAsyncDisposable
{
    public const string Token = "test-admin-token-0123456789abcdef";

    private AdminTestHost(WebApplication app, string baseUrl, CapturingLoggerProvider logs)
    {
        App = app;
        BaseUrl = baseUrl;
        Logs = logs;
    }

    public WebApplication App { get; }

    public string BaseUrl { get; }

    public CapturingLoggerProvider Logs { get; }

    public IBotStore Store => App.Services.GetRequiredService<IBotStore>();

    public static async Task<AdminTestHost> StartAsync(TestCorpus corpus, Dictionary<string, string?>? extra = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["POLICYBOT_HTTP_URL"] = "http://127.0.0.1:0",
            ["POLICYBOT_USER_SALT"] = ServeTestHost.Salt,
            ["POLICYBOT_ADMIN_TOKEN"] = Token,
            ["DISCORD_TOKEN"] = "",
            ["TEAMS_APP_ID"] = "",
        };
        foreach (var (k, v) in extra ?? [])
        {
            config[k] = v;
        }

        var logs = new CapturingLoggerProvider();
        var app = ServeHost.Build(new ServeSettings { Engine = corpus.Options() }, discordFlag: false, teamsFlag: false, config, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(logs);
        }, environmentName: "Development");
        var address = await Loopback.StartAsync(app);
        var host = new AdminTestHost(app, address, logs);
        using var http = host.Client();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await http.GetAsync("/readyz")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("/readyz never turned ready");
            }

            await Task.Delay(20);
        }

        return host;
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (tests look at them).</summary>
    public HttpClient Client(string? baseUrl = null) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = new Uri(baseUrl ?? BaseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>A client signed in with the right token.</summary>
    public async Task<HttpClient> SignedInClientAsync()
    {
        var http = Client();
        using var response = await PostFormAsync(http, "/admin/signin", "/admin/signin", ("token", Token));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return http;
    }

    /// <summary>GETs <paramref name="formPage"/> for its antiforgery field, then posts the form with it.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string formPage, string action, params (string Name, string Value)[] fields)
    {
        var page = await http.GetStringAsync(formPage);
        var antiforgery = AntiforgeryField().Match(page);
        Assert.True(antiforgery.Success, "no antiforgery field on " + formPage);
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__af", WebUtility.HtmlDecode(antiforgery.Groups[1].Value)));
        return await http.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>Seeds the audit trail: <paramref name="perDay"/> questions a day for <paramref name="days"/> days up to today.</summary>
    public async Task SeedAsync(int days, int perDay)
    {
        // Noon UTC of each day, so minutes added never cross midnight whenever the test runs.
        var noon = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(12), TimeSpan.Zero);
        var now = DateTimeOffset.UtcNow;
        for (var d = 0; d < days; d++)
        {
            for (var i = 0; i < perDay; i++)
            {
                var outcome = (i % 5) switch
                {
                    3 => AnswerOutcome.Abstained,
                    4 => AnswerOutcome.Refused,
                    _ => AnswerOutcome.Answered,
                };
                var id = $"seed-{d}-{i}";
                await RecordAsync(new AuditRecord
                {
                    AnswerId = id,
                    At = noon.AddDays(-d).AddMinutes(i),
                    Platform = i % 2 == 0 ? "discord" : "teams",
                    Question = outcome == AnswerOutcome.Abstained ? $"What is the capital of Peru ({d})?" : CorpusQuestions.Widgets.Fine,
                    Outcome = outcome,
                    AnswerText = outcome == AnswerOutcome.Answered ? "The maximum fine is seven percent [1]." : "The corpus does not cover that.",
                    SuggestedTopics = outcome == AnswerOutcome.Abstained ? ["widgets"] : [],
                    CitedPassageIds = outcome == AnswerOutcome.Answered ? ["widget-safety-act.md#1"] : [],
                    CorpusVersion = "seed-v1",
                    LatencyMs = 1 + i,
                    Confidence = outcome != AnswerOutcome.Answered ? null : i == 2 ? "Low" : "High",
                });
                if (outcome == AnswerOutcome.Answered && i % 3 == 0)
                {
                    await Store.RecordAsync(new Feedback(id, "discord", "u" + i, i % 2 == 0 ? FeedbackReaction.Negative : FeedbackReaction.Positive, null, now), CancellationToken.None);
                }
            }
        }
    }

    /// <summary>Records <paramref name="record"/> as the operated answerer does: with its main terms unless it was refused.</summary>
    public Task RecordAsync(AuditRecord record) =>
        Store.RecordQuestionAsync(record.Outcome == AnswerOutcome.Refused ? record : record with { MainTerms = QuestionTerms.Default.MainTerms(record.Question) }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
