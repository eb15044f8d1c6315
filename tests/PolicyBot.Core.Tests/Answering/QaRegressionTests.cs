using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Conversation;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Core.Tests.Answering;

/// <summary>
/// The policy team's regression set over the shipped corpus: each answerable question's top citation must come
/// from the named document and contain the phrase; each unanswerable one must be abstained on.
/// </summary>
public sealed class QaRegressionTests(ITestOutputHelper output)
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
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qa-regression.yaml"))));
        var entries = ((YamlSequenceNode)stream.Documents[0].RootNode).Children.Cast<YamlMappingNode>().ToList();
        Assert.True(entries.Count >= 40);

        var index = Path.Combine(Path.GetTempPath(), "policybot-tests", Guid.NewGuid().ToString("N"), "index.db");
        var options = new PolicyBotOptions { IndexPath = index };
        options.CorpusDirectories.Add(RepositoryFile("corpus"));
        await using var engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);

        int answerable = 0, hit1 = 0, hit3 = 0, abstainable = 0, abstained = 0;
        foreach (var e in entries)
        {
            string? Get(string key) => e.Children.TryGetValue(new YamlScalarNode(key), out var v) ? ((YamlScalarNode)v).Value : null;
            var question = Get("question")!;
            var answer = engine.Answer(new Question(question, QuestionContext.Cli));
            if (Get("abstain") == "true")
            {
                abstainable++;
                if (!answer.Answered)
                {
                    abstained++;
                }
                else
                {
                    output.WriteLine($"SHOULD ABSTAIN: {question} -> {answer.Citations[0].PassageId}");
                }

                continue;
            }

            answerable++;
            var document = Get("document")!;
            var phrase = Get("phrase")!;
            bool Matches(Citation c) => c.DocumentPath == document && c.Passage.Contains(phrase, StringComparison.OrdinalIgnoreCase);
            if (answer.Answered && Matches(answer.Citations[0]))
            {
                hit1++;
            }
            else
            {
                output.WriteLine($"MISS: {question} (want {document} / '{phrase}') -> {(answer.Answered ? answer.Citations[0].PassageId : answer.Reason)}");
            }

            if (answer.Answered && answer.Citations.Take(3).Any(Matches))
            {
                hit3++;
            }
        }

        var rate = (double)hit1 / answerable;
        output.WriteLine($"hit@1 {hit1}/{answerable} = {rate:P1}; hit@3 {hit3}/{answerable}; abstained {abstained}/{abstainable}");
        Assert.True(rate >= 0.90, $"hit@1 {rate:P1} is below 90%");
        Assert.Equal(abstainable, abstained);
        Assert.True(abstainable >= 10);
    }
}
