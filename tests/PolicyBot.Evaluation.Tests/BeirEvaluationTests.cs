using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Evaluation;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Evaluation.Tests;

public sealed class BeirEvaluationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"policybot-beir-test-{Guid.NewGuid():N}");

    public BeirEvaluationTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllLines(Path.Combine(_dir, "corpus.jsonl"),
        [
            """{"_id": "d1", "title": "Wing in a propeller slipstream", "text": "An experimental study of a wing in a propeller slipstream at several angles of attack."}""",
            """{"_id": "d2", "title": "Heat conduction in composite slabs", "text": "Exact solutions for transient heat conduction in slabs made of two materials."}""",
            """{"_id": "d3", "title": "Buckling of cylindrical shells", "text": "Elastic buckling of thin cylindrical shells under axial compression and external pressure."}""",
            """{"_id": "d4", "title": "Boundary layer transition", "text": "Transition from laminar to turbulent flow in the boundary layer of a flat plate in a wind tunnel."}""",
        ]);
        File.WriteAllLines(Path.Combine(_dir, "queries.jsonl"),
        [
            """{"_id": "1", "text": "what is known about heat conduction in composite slabs ."}""",
            """{"_id": "2", "text": "buckling of cylinders under axial compression"}""",
            """{"_id": "3", "text": "a query without judgements about wings"}""",
        ]);
        File.WriteAllLines(Path.Combine(_dir, "qrels.tsv"), ["query-id\tcorpus-id\tscore", "1\td2\t2", "2\td3\t1", "2\td4\t0"]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_ReadsCorpusQueriesAndQrels()
    {
        var c = BeirCollection.Load(_dir);
        Assert.Equal(4, c.Documents.Count);
        Assert.Equal("Heat conduction in composite slabs", c.Documents[1].Title);
        Assert.Equal(3, c.Queries.Count);
        Assert.Equal(2, c.Qrels["1"]["d2"]);
        Assert.Equal(0, c.Qrels["2"]["d4"]);
        Assert.False(c.Qrels.ContainsKey("3"));
    }

    [Theory]
    [InlineData(EvaluationRanker.Engine)]
    [InlineData(EvaluationRanker.LuceneBm25)]
    public void Run_EasyCollection_RanksTheRelevantDocumentFirstAndSkipsUnjudgedQueries(EvaluationRanker ranker)
    {
        var runFile = Path.Combine(_dir, "run.txt");
        var result = BeirEvaluation.Run(BeirCollection.Load(_dir), ranker, RankingOptions.Default, 100, runFile, NullLoggerFactory.Instance, CancellationToken.None);
        Assert.Equal(2, result.Queries);
        Assert.Equal(4, result.Documents);
        Assert.Equal(1, result.Mean.Ndcg10, 9);
        Assert.Equal(1, result.Mean.Rr10, 9);
        var lines = File.ReadAllLines(runFile);
        Assert.StartsWith("1 Q0 d2 1 ", lines[0], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Equal(6, l.Split(' ').Length));
    }

    [Fact]
    public void Load_MissingFile_Throws()
    {
        File.Delete(Path.Combine(_dir, "qrels.tsv"));
        Assert.Throws<FileNotFoundException>(() => BeirCollection.Load(_dir));
    }
}
