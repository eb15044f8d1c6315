using Microsoft.Playwright;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Tests.Serve;

namespace PolicyBot.Host.Tests.Admin;

/// <summary>
/// One dashboard host with 30 days of seeded questions and one headless Debian Chromium driven by Playwright
/// (<see cref="BrowserTypeLaunchOptions.ExecutablePath"/>: no browser is downloaded). When Chromium is missing,
/// <see cref="SkipReason"/> says so and every browser test reports itself skipped with that reason.
/// </summary>
public sealed class AdminBrowserFixture : IAsyncLifetime
{
    /// <summary>Where Chromium is looked for (<c>POLICYBOT_CHROMIUM</c> overrides).</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("POLICYBOT_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public const string HostileQuestion = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> <a href=\"javascript:window.__pwned = 3\">zorblax</a> \u202Etxt.exe";

    private readonly TestCorpus _corpus = new(CorpusSet.Widgets);
    private IPlaywright? _playwright;
    private AdminTestHost? _host;

    public string? SkipReason { get; private set; }

    public IBrowser Browser { get; private set; } = null!;

    internal AdminTestHost Host => _host ?? throw new InvalidOperationException("the fixture did not start");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"SKIPPED, NOT PASSED: Chromium is not installed at {ChromiumPath}. Install it with `bash .ci/chromium.sh` (apt-get install -y chromium) to run the admin dashboard's browser tests.";
            await Console.Error.WriteLineAsync("WARNING: " + SkipReason);
            return;
        }

        // Every test signs in from 127.0.0.1; the default limit (5 a minute) is exercised by AdminHttpTests.
        _host = await AdminTestHost.StartAsync(_corpus, new() { ["POLICYBOT_ADMIN_SIGNIN_PER_MINUTE"] = "100" });
        await SeedAsync(_host);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _corpus.Dispose();
    }

    /// <summary>A fresh browser context (own cookies) with a page; downloads allowed.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Host.BaseUrl, AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Generous: the CI machine may be shared by several builds at once.
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the form, as a person would.</summary>
    public async Task<IPage> SignedInPageAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/admin");
        await page.FillAsync("#token", AdminTestHost.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/admin");
        return page;
    }

    /// <summary>Thirty days of questions with a weekly rhythm, some abstentions, refusals and ratings, and one hostile question.</summary>
    private static async Task SeedAsync(AdminTestHost host)
    {
        var now = DateTimeOffset.UtcNow;
        var noon = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(12), TimeSpan.Zero);
        var random = new Random(14);
        string[] gaps = ["What is the capital of Peru?", "Does the Act cover quantum sensors?", "Who chairs the Gadget Office board?"];
        for (var d = 0; d < 30; d++)
        {
            var count = 6 + ((d % 7) < 5 ? 8 : 2) + random.Next(0, 6);
            for (var i = 0; i < count; i++)
            {
                var roll = random.Next(100);
                var outcome = roll < 72 ? AnswerOutcome.Answered : roll < 92 ? AnswerOutcome.Abstained : AnswerOutcome.Refused;
                var id = $"b-{d}-{i}";
                await host.RecordAsync(new AuditRecord
                {
                    AnswerId = id,
                    At = noon.AddDays(-d).AddMinutes(3 * i),
                    Platform = random.Next(3) == 0 ? "teams" : "discord",
                    Question = outcome == AnswerOutcome.Abstained ? gaps[random.Next(gaps.Length)] : i % 2 == 0 ? CorpusQuestions.Widgets.Fine : CorpusQuestions.Widgets.Registry,
                    Outcome = outcome,
                    Reason = outcome == AnswerOutcome.Refused ? "rate limited" : null,
                    AnswerText = outcome == AnswerOutcome.Answered ? "The maximum fine under the Widget Safety Act is seven percent of a provider's worldwide annual turnover. [1]" : "The corpus does not cover that yet.",
                    SuggestedTopics = outcome == AnswerOutcome.Abstained ? ["widgets", "The Widget Safety Act"] : [],
                    CitedPassageIds = outcome == AnswerOutcome.Answered ? ["widget-safety-act.md#1"] : [],
                    CorpusVersion = "build-7+git:1a2b3c4",
                    LatencyMs = outcome == AnswerOutcome.Refused ? 0.1 : 0.6 + (random.NextDouble() * 2.5),
                    Confidence = outcome != AnswerOutcome.Answered ? null : i % 9 == 4 ? "Low" : i % 3 == 0 ? "Medium" : "High",
                });
                if (outcome == AnswerOutcome.Answered && random.Next(4) == 0)
                {
                    var down = random.Next(5) == 0;
                    await host.Store.RecordAsync(new Feedback(id, "discord", "user-" + i, down ? FeedbackReaction.Negative : FeedbackReaction.Positive, down ? "Not what I asked" : null, now.AddDays(-d)), CancellationToken.None);
                }
            }
        }

        await host.RecordAsync(new AuditRecord { AnswerId = "hostile", At = now.AddMinutes(-1), Platform = "discord", Question = HostileQuestion, Outcome = AnswerOutcome.Abstained, AnswerText = HostileQuestion, CorpusVersion = "build-7" });
        await host.Store.RecordAsync(new Feedback("hostile", "discord", "mallory", FeedbackReaction.Negative, HostileQuestion, now), CancellationToken.None);
    }
}
