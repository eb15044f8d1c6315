using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Evaluation;
using Xunit.Abstractions;
using PolicyBot.Search;

namespace PolicyBot.Evaluation.Tests;

/// <summary>
/// The policy team's regression set over the shipped corpus, through the whole answer path: each answerable
/// question's top citation must come from the named document and contain the phrase; each unanswerable one must
/// be abstained on. Reports the hit rate; fails below 90% hit@1 or on any missed abstention.
/// </summary>
public sealed class ShippedCorpusRegressionTests(ITestOutputHelper output)
{
    private static string RepositoryFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine([dir!.FullName, .. parts]);
    }

    [Fact]
    public async Task ShippedCorpus_RegressionSet_MeetsHitRateAndAbstainsOnEveryUncoveredQuestion()
    {
        var cases = QaRegression.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qa-regression.yaml"));
        Assert.True(cases.Count >= 40);
        Assert.True(cases.Count(c => c.Abstain) >= 10);

        var options = new PolicyBotOptions { IndexPath = Path.Combine(Path.GetTempPath(), "policybot-tests", Guid.NewGuid().ToString("N"), "index") };
        options.CorpusDirectories.Add(RepositoryFile("corpus"));
        await using var engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
        var report = QaRegression.Run(engine.Answer, cases);

        foreach (var failure in report.Failures)
        {
            output.WriteLine($"FAIL line {failure.Case.Line}: {failure.Case.Question} -> {failure.Detail}");
        }

        output.WriteLine($"hit@1 {report.Hit1:P1}; hit@3 {report.Hit3:P1}; abstention {report.AbstentionAccuracy:P0} over {report.Answerable} + {report.AbstainCases} cases");
        Assert.True(report.Hit1 >= 0.90, $"hit@1 {report.Hit1:P1} is below 90%");
        Assert.Equal(1.0, report.AbstentionAccuracy);
    }
}
