using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>Two serve processes (hosts) on one PostgreSQL: one audit trail, one rate limit per user.</summary>
[RequiresPostgres]
public sealed class SharedPostgresTests
{
    [StoreFact]
    public async Task TwoHosts_SharedPostgres_ShareRateLimitsAndAuditTrail()
    {
        var server = PostgresTestEnvironment.RequireConnectionString();
        var schema = "pbserve_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\";", connection);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var config = new Dictionary<string, string?>
            {
                ["POLICYBOT_DATABASE"] = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString,
                ["POLICYBOT_RATE_SHARED"] = "true",
                ["POLICYBOT_RATE_USER"] = "2/60s",
            };
            using var corpusA = new TestCorpus(CorpusSet.Widgets);
            using var corpusB = new TestCorpus(CorpusSet.Widgets);
            await using var a = await ServeTestHost.StartAsync(corpusA, config);
            await using var b = await ServeTestHost.StartAsync(corpusB, config);
            var question = new Question(CorpusQuestions.Widgets.Fine, new QuestionContext("discord", "guild", "chan", "shared-user"));

            Assert.Equal(AnswerOutcome.Answered, (await a.Answerer.AnswerAsync(question, CancellationToken.None)).Outcome);
            Assert.Equal(AnswerOutcome.Answered, (await b.Answerer.AnswerAsync(question, CancellationToken.None)).Outcome);
            var third = await a.Answerer.AnswerAsync(question, CancellationToken.None);
            Assert.Equal("rate limited (user)", third.Reason);
            var other = await b.Answerer.AnswerAsync(question with { Context = question.Context with { UserId = "someone-else" } }, CancellationToken.None);
            Assert.Equal(AnswerOutcome.Answered, other.Outcome);

            var records = new List<AuditRecord>();
            await foreach (var r in b.App.Services.GetRequiredService<IBotStore>().ReadAuditAsync(null, CancellationToken.None))
            {
                records.Add(r);
            }

            Assert.Equal(4, records.Count);
            Assert.Equal(3, records.Count(r => r.Outcome == AnswerOutcome.Answered));
            Assert.Equal(4, records.Select(r => r.AnswerId).Distinct().Count());
            Assert.Equal(3, records.Count(r => r.UserHash == UserIdHasher.WithSalt(ServeTestHost.Salt).Hash("shared-user")));
        }
        finally
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
