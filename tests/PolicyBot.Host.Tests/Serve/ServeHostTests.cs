using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Host.Cli;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Tests.Serve;

public sealed class ServeHostTests
{
    [Fact]
    public async Task Serve_TeamsQuestion_AnsweredAuditedAndCounted()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var host = await ServeTestHost.StartAsync(corpus);

        using (var health = await host.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using (var ready = await host.Http.GetAsync("/readyz"))
        {
            var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.True(body["checks"]!["index"]!.GetValue<bool>());
            Assert.True(body["checks"]!["teams"]!.GetValue<bool>());
            Assert.StartsWith(host.Live.CorpusVersion, body["corpusVersion"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        using (var response = await host.PostAsync(host.Personal(CorpusQuestions.Widgets.Fine, "user-1")))
        {
            Assert.True(response.IsSuccessStatusCode, $"POST /api/messages: {(int)response.StatusCode}");
        }

        var replies = await host.Fake.WaitForAsync(d => d.Any(c => c.Type == "message"), TimeSpan.FromSeconds(20));
        var reply = replies.First(c => c.Type == "message");
        Assert.Contains("seven percent", reply.Text, StringComparison.Ordinal);

        // The audit trail holds the question with a salted hash of the user id, never the raw id.
        var store = host.App.Services.GetRequiredService<IBotStore>();
        var records = new List<AuditRecord>();
        await foreach (var r in store.ReadAuditAsync(null, CancellationToken.None))
        {
            records.Add(r);
        }

        var record = Assert.Single(records);
        Assert.Equal("teams", record.Platform);
        Assert.Equal(AnswerOutcome.Answered, record.Outcome);
        Assert.Equal(CorpusQuestions.Widgets.Fine, record.Question);
        Assert.Equal(UserIdHasher.WithSalt(ServeTestHost.Salt).Hash("aad-user-1"), record.UserHash);
        Assert.DoesNotContain("user-1", record.UserHash, StringComparison.Ordinal);
        Assert.NotEmpty(record.CitedPassageIds);
        Assert.StartsWith("widget-safety-act.md#", record.CitedPassageIds[0], StringComparison.Ordinal);
        Assert.Equal(host.Live.CorpusVersion, record.CorpusVersion);
        Assert.True(record.LatencyMs > 0);

        var metrics = PrometheusText.Parse(await host.Http.GetStringAsync("/metrics"));
        var questions = metrics["policybot_questions_total"];
        Assert.Equal("counter", questions.Type);
        Assert.Equal(1, Assert.Single(questions.Samples).Value);
        Assert.Equal(1, questions.Single("policybot_questions_total", ("outcome", "answered"), ("platform", "teams")).Value);
        var latency = metrics["policybot_answer_duration_milliseconds"];
        Assert.Equal("histogram", latency.Type);
        Assert.Equal(1, latency.Single("policybot_answer_duration_milliseconds_count", ("outcome", "answered"), ("platform", "teams")).Value);
        Assert.True(metrics["policybot_index_build_duration_milliseconds"].Single("policybot_index_build_duration_milliseconds_count").Value >= 1);
        Assert.Equal(1, metrics["policybot_teams_activities_received_total"].Samples.Sum(s => s.Value));
        Assert.Equal(0, metrics["policybot_answers_in_flight"].Single("policybot_answers_in_flight").Value);
    }

    [Fact]
    public async Task Serve_Stopping_RefusesNewQuestionsAndReadyzTurns503()
    {
        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var host = await ServeTestHost.StartAsync(corpus);
        host.Answerer.BeginDrain();

        using var ready = await host.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.False(JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!["accepting"]!.GetValue<bool>());

        var answer = await host.Answerer.AnswerAsync(new Question(CorpusQuestions.Widgets.Fine, new QuestionContext("teams", UserId: "u")), CancellationToken.None);
        Assert.Equal(AnswerOutcome.Refused, answer.Outcome);
        Assert.Equal("shutting down", answer.Reason);
    }

    [Fact]
    public void Build_BadSettings_NamesEachSettingAndNeverTheSecret()
    {
        using var corpus = new TestCorpus();
        const string secret = "do-not-print-me-9f8e7d6c5b4a";
        var config = new Dictionary<string, string?>
        {
            ["TEAMS_APP_ID"] = "c9e8c047-1111-4a4a-9b9b-0123456789ab",
            ["TEAMS_APP_PASSWORD"] = secret,
            ["POLICYBOT_RATE_USER"] = "lots",
            ["POLICYBOT_HTTP_URL"] = "not a url",
        };
        var ex = Assert.Throws<ServeConfigurationException>(() => ServeHost.Build(new ServeSettings { Engine = corpus.Options() }, false, true, config));
        Assert.Contains(ex.Problems, p => p.StartsWith("POLICYBOT_RATE_USER", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("POLICYBOT_HTTP_URL", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BadAppTypeShortSaltAndBadDays_AllProblemsAtOnceWithoutSecrets()
    {
        using var corpus = new TestCorpus();
        const string secret = "do-not-print-me-9f8e7d6c5b4a";
        var config = new Dictionary<string, string?>
        {
            ["TEAMS_APP_ID"] = "c9e8c047-1111-4a4a-9b9b-0123456789ab",
            ["TEAMS_APP_PASSWORD"] = secret,
            ["TEAMS_APP_TYPE"] = "Sometimes",
            ["POLICYBOT_USER_SALT"] = "tooShort-Zq",
            ["POLICYBOT_AUDIT_DAYS"] = "ninety",
            ["POLICYBOT_HTTP_URL"] = "http://127.0.0.1:0",
        };
        var ex = Assert.Throws<ServeConfigurationException>(() => ServeHost.Build(new ServeSettings { Engine = corpus.Options() }, false, true, config));
        Assert.Contains(ex.Problems, p => p.StartsWith("TEAMS_APP_TYPE", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("POLICYBOT_USER_SALT", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("POLICYBOT_AUDIT_DAYS", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tooShort-Zq", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ninety", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NoPlatform_SaysHowToEnableOne()
    {
        using var corpus = new TestCorpus();
        var ex = Assert.Throws<ServeConfigurationException>(() => ServeHost.Build(new ServeSettings { Engine = corpus.Options() }, false, false, new Dictionary<string, string?> { ["DISCORD_TOKEN"] = "", ["TEAMS_APP_ID"] = "" }));
        Assert.Contains("--discord", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TEAMS_APP_ID", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_ShardWithoutDiscord_Rejected()
    {
        var settings = new ServeSettings { ShardId = 1, ShardCount = 4 };
        var problems = settings.Bind(new PolicyBot.Host.Configuration.PolicyBotSettings(), discordFlag: false, teamsFlag: true);
        Assert.Contains(problems, p => p.Contains("--shard-id", StringComparison.Ordinal) && p.Contains("Discord", StringComparison.Ordinal));
        var bad = new ServeSettings { ShardId = 4, ShardCount = 4 };
        Assert.Contains(bad.Bind(new PolicyBot.Host.Configuration.PolicyBotSettings(), true, false), p => p.Contains("from 0 to", StringComparison.Ordinal));
    }
}
