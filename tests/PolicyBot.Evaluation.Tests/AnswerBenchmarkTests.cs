using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Evaluation;

namespace PolicyBot.Evaluation.Tests;

public sealed class AnswerBenchmarkTests
{
    [Fact]
    public void Run_ScaleTwo_ReplicatesPassagesAndReportsConsistentFigures()
    {
        var docs = new[]
        {
            EvaluationDocuments.Create("a", "Hosting the AI organisation", "Hong Kong is a financial hub with common law, which makes it a strong host city for the organisation."),
            EvaluationDocuments.Create("b", "The EU AI Act", "The European Union adopted the AI Act, which classifies AI systems by risk and bans some practices."),
        };
        var settings = new BenchmarkSettings { Duration = TimeSpan.FromMilliseconds(200), Threads = 2, WarmupPasses = 1 };
        var r = AnswerBenchmark.Run(docs, 2, ["Why is Hong Kong a strong host city?", "How does the AI Act classify systems?"], settings, NullLoggerFactory.Instance, CancellationToken.None);
        Assert.Equal(2, r.Scale);
        Assert.Equal(4, r.Documents);
        Assert.Equal(4, r.Passages);
        Assert.True(r.Answers >= 2);
        Assert.InRange(r.BestP50Milliseconds, 0, r.MaxMilliseconds);
        Assert.InRange(r.P99Milliseconds, r.P50Milliseconds, r.MaxMilliseconds);
        Assert.True(r.Qps > 0 && r.QpsThreads > 0);
        Assert.Equal(1, r.AnsweredShare);
        Assert.True(r.RssAfterMb > 0);
        Assert.Equal(2, r.Slowest.Count);
    }
}
