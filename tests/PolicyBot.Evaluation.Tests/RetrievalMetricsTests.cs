using PolicyBot.Evaluation;

namespace PolicyBot.Evaluation.Tests;

public sealed class RetrievalMetricsTests
{
    // Ranking d1 d2 d3 d4 d5; judgements d2=2, d4=1, d6=3 (never retrieved), d7=0 (judged not relevant).
    // Relevant (score >= 1): d2, d4, d6, so R = 3; retrieved relevant at ranks 2 and 4.
    private static readonly string[] Ranking = ["d1", "d2", "d3", "d4", "d5"];

    private static readonly Dictionary<string, int> Judged = new() { ["d2"] = 2, ["d4"] = 1, ["d6"] = 3, ["d7"] = 0 };

    [Fact]
    public void Score_HandComputedExample_NdcgAt10()
    {
        // DCG  = 2/log2(3) + 1/log2(5)            = 1.2618595 + 0.4306766 = 1.6925361
        // IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.2618595 + 0.5   = 4.7618595
        // nDCG = 1.6925361 / 4.7618595 = 0.3554360
        Assert.Equal(0.3554360, RetrievalMetrics.Score(Ranking, Judged).Ndcg10, 6);
    }

    [Fact]
    public void Score_HandComputedExample_AveragePrecision()
    {
        // AP = (1/2 + 2/4) / R = (0.5 + 0.5) / 3 = 0.3333333
        Assert.Equal(0.3333333, RetrievalMetrics.Score(Ranking, Judged).Ap100, 6);
    }

    [Fact]
    public void Score_HandComputedExample_RecallPrecisionAndReciprocalRank()
    {
        var m = RetrievalMetrics.Score(Ranking, Judged);
        Assert.Equal(2.0 / 3.0, m.Recall100, 9); // 2 of the 3 relevant retrieved
        Assert.Equal(0.2, m.P10, 9);             // 2 relevant / 10, whatever was retrieved
        Assert.Equal(0.5, m.Rr10, 9);            // first relevant at rank 2
    }

    [Fact]
    public void Score_RelevantOnlyPast10_CountsForMapAndRecallNotForTop10Measures()
    {
        // 11 irrelevant... no: 10 irrelevant, then the only relevant document at rank 11.
        var ranking = Enumerable.Range(0, 10).Select(i => $"x{i}").Append("r").ToList();
        var m = RetrievalMetrics.Score(ranking, new Dictionary<string, int> { ["r"] = 1 });
        Assert.Equal(0, m.Ndcg10);
        Assert.Equal(0, m.Rr10);
        Assert.Equal(0, m.P10);
        Assert.Equal(1.0 / 11, m.Ap100, 9); // precision at rank 11 = 1/11, R = 1
        Assert.Equal(1, m.Recall100);
    }

    [Fact]
    public void Score_RelevantPast100_IsNotCounted()
    {
        var ranking = Enumerable.Range(0, 100).Select(i => $"x{i}").Append("r").ToList();
        var m = RetrievalMetrics.Score(ranking, new Dictionary<string, int> { ["r"] = 1 });
        Assert.Equal(0, m.Ap100);
        Assert.Equal(0, m.Recall100);
    }

    [Fact]
    public void Score_PerfectRanking_IsOneEverywhereButPrecision()
    {
        // Ideal order of gains 3, 2, 1: nDCG = 1; AP = (1/1 + 2/2 + 3/3) / 3 = 1; P@10 = 3/10.
        var m = RetrievalMetrics.Score(["d6", "d2", "d4"], Judged);
        Assert.Equal(1, m.Ndcg10, 9);
        Assert.Equal(1, m.Ap100, 9);
        Assert.Equal(1, m.Recall100, 9);
        Assert.Equal(0.3, m.P10, 9);
        Assert.Equal(1, m.Rr10, 9);
    }

    [Fact]
    public void Score_DuplicateDocument_CountsOnceAtItsBestRank()
    {
        // d2 at rank 1 (gain 2), its repeat skipped, d4 at rank 2: AP = (1/1 + 2/2) / 3 = 0.6666667.
        var m = RetrievalMetrics.Score(["d2", "d2", "d4"], Judged);
        Assert.Equal(2.0 / 3.0, m.Ap100, 6);
    }

    [Fact]
    public void Mean_AveragesEachMeasure()
    {
        var mean = RetrievalMetrics.Mean([new QueryMetrics(1, 0.5, 1, 0.2, 1), new QueryMetrics(0, 0.1, 0.5, 0, 0.5)]);
        Assert.Equal(new QueryMetrics(0.5, 0.3, 0.75, 0.1, 0.75), mean with { Ap100 = Math.Round(mean.Ap100, 9) });
    }

    [Fact]
    public void Percentile_NearestRank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, RetrievalMetrics.Percentile(sorted, 0.5));  // ceil(0.5 * 10) = 5th value
        Assert.Equal(10, RetrievalMetrics.Percentile(sorted, 0.99)); // ceil(9.9) = 10th value
        Assert.Equal(0, RetrievalMetrics.Percentile([], 0.5));
    }
}
