using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Evaluation;
using PolicyBot.Search.Retrieval;
using PolicyBot.Search;

namespace PolicyBot.Evaluation.Tests;

public sealed class SearcherRankingTests : IDisposable
{
    private static readonly (string Id, string Title, string Text)[] Collection =
    [
        ("d1", "Wing in a propeller slipstream", "An experimental study of a wing in a propeller slipstream. The lift increase due to the slipstream was measured at several angles of attack."),
        ("d2", "Slipstream effects on lift", "The propeller slipstream changes the spanwise lift distribution; theory and experiment are compared for several velocity ratios."),
        ("d3", "Heat conduction in composite slabs", "Exact solutions for transient heat conduction in composite slabs of two materials with contact resistance."),
        ("d4", "Buckling of cylindrical shells", "Elastic buckling of thin cylindrical shells under axial compression; initial imperfections lower the buckling load."),
        ("d5", "Imperfections and shell buckling", "Initial imperfections explain why measured buckling loads of cylinders fall below classical theory under compression."),
        ("d6", "Laminar boundary layer transition", "Transition from laminar to turbulent flow in a wind tunnel depends on the free stream turbulence and on surface roughness."),
        ("d7", "Turbulent heat transfer", "Heat transfer in a turbulent boundary layer at supersonic speed, with measurements of recovery temperature."),
        ("d8", "Flutter of panels", "Panel flutter at supersonic speeds: the skin panels of a wing vibrate when the dynamic pressure exceeds a critical value."),
    ];

    private static readonly string[] Questions =
    [
        "what is the lift increase of a wing in a propeller slipstream",
        "buckling of cylinders with imperfections under compression",
        "heat transfer in a turbulent boundary layer",
        "transition to turbulent flow in wind tunnels and roughness of panels",
        "flutter of wing skin panels at supersonic speed and heat",
        "slipstream velocity ratio theory compared with experiment for shells",
    ];

    private readonly List<string> _paths = [];
    private readonly List<PolicyBotEngine> _engines = [];

    public void Dispose()
    {
        foreach (var e in _engines)
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        foreach (var p in _paths.Where(Directory.Exists))
        {
            Directory.Delete(p, recursive: true);
        }
    }

    private PolicyBotEngine Open(RankingOptions ranking)
    {
        var path = Path.Combine(Path.GetTempPath(), $"policybot-searcher-test-{Guid.NewGuid():N}");
        _paths.Add(path);
        var docs = Collection.Select(d => EvaluationDocuments.Create(d.Id, d.Title, d.Text));
        var engine = PolicyBotEngine.OpenDocuments(docs, new PolicyBotOptions { IndexPath = path, Ranking = ranking }, NullLoggerFactory.Instance, CancellationToken.None);
        _engines.Add(engine);
        return engine;
    }

    [Fact]
    public void Search_FirstStage_ScoreIsTheSumOfExplainedContributions()
    {
        var searcher = Open(RankingOptions.Default with { FeedbackDocuments = 0 }).Searcher;
        foreach (var question in Questions)
        {
            var query = searcher.Parse(question);
            foreach (var hit in searcher.Search(query, 3))
            {
                var explained = searcher.Explain(query, hit.Passage).Sum(c => c.Contribution);
                Assert.Equal(explained, hit.Score, 3);
            }
        }
    }

    [Fact]
    public void Search_Feedback_NeverLowersTheTopPassageCoverage()
    {
        var plain = Open(RankingOptions.Default with { FeedbackDocuments = 0 }).Searcher;
        var fed = Open(RankingOptions.Default with { FeedbackDocuments = 3, FeedbackWeight = 0.6 }).Searcher;
        foreach (var question in Questions)
        {
            var q1 = plain.Parse(question);
            var q2 = fed.Parse(question);
            var top1 = plain.Search(q1, 1)[0].Passage;
            var top2 = fed.Search(q2, 1)[0].Passage;
            Assert.True(fed.Coverage(q2, top2).Share >= plain.Coverage(q1, top1).Share - 1e-9, question);
        }
    }

    [Fact]
    public void Search_TopPassageCoversEveryWord_FeedbackLeavesRankingUnchanged()
    {
        // "buckling cylindrical shells": d4 holds every word, so selective feedback does not expand.
        var plain = Open(RankingOptions.Default with { FeedbackDocuments = 0 }).Searcher;
        var fed = Open(RankingOptions.Default with { FeedbackDocuments = 5 }).Searcher;
        var q = plain.Parse("buckling cylindrical shells");
        Assert.Equal(1.0, plain.Coverage(q, plain.Search(q, 1)[0].Passage).Share, 9);
        Assert.Equal(plain.Search(q, 8), fed.Search(fed.Parse("buckling cylindrical shells"), 8));
    }

    [Fact]
    public void RankDocuments_BestPassagePerDocument_NoDuplicates()
    {
        var searcher = Open(RankingOptions.Default).Searcher;
        var ranked = BeirEvaluation.RankDocuments(searcher, "propeller slipstream lift", 5);
        Assert.Equal(ranked.Select(r => r.Document).Distinct().Count(), ranked.Count);
        Assert.Contains(ranked[0].Document, new[] { "d1", "d2" });
        Assert.True(ranked.Zip(ranked.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void Search_IsThreadSafe_SameResultsInParallel()
    {
        var searcher = Open(RankingOptions.Default).Searcher;
        var expected = Questions.Select(q => searcher.Search(searcher.Parse(q), 5)).ToList();
        Parallel.For(0, 200, i =>
        {
            var q = Questions[i % Questions.Length];
            Assert.Equal(expected[i % Questions.Length], searcher.Search(searcher.Parse(q), 5));
        });
    }
}
