using PolicyBot.Core.Conversation;

namespace PolicyBot.Search.Tests.Index;

/// <summary>Reloads swap the Lucene reader while questions are being answered on other threads.</summary>
public sealed class LiveReloadTests
{
    [Fact]
    public async Task Refresh_WhileQuestionsRunOnTwoThreads_EveryAnswerIsWholeAndTheNewVersionArrives()
    {
        using var corpus = new TestCorpus(CorpusSet.PolicyNotes);
        await using var engine = await corpus.OpenAsync();
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var answered = 0;

        async Task AskLoop()
        {
            await Task.Yield();
            while (!stop.IsCancellationRequested)
            {
                var answer = engine.Answer(new Question("Why could Hong Kong co-host the organisation?", QuestionContext.Cli));
                if (answer.Outcome != AnswerOutcome.Answered || !answer.Citations[0].Passage.Contains("Hong Kong", StringComparison.Ordinal))
                {
                    failures.Enqueue(answer.Text);
                }

                Interlocked.Increment(ref answered);
            }
        }

        async Task UntilAnsweredMoreThan(int count)
        {
            // The askers are thread-pool tasks: on a loaded machine they may start late, so each reload waits until
            // questions are really running beside it (bounded, so a hang fails instead of blocking the run).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref answered) <= count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
        }

        var askers = new[] { Task.Run(AskLoop), Task.Run(AskLoop) };
        var versions = new HashSet<string> { engine.CorpusVersion };
        for (var round = 0; round < 8; round++)
        {
            await UntilAnsweredMoreThan(Volatile.Read(ref answered));
            corpus.Write($"extra-{round}.md", $"# Extra {round}\n\nA note number {round} about the lighthouse{round} export register.");
            await engine.RefreshAsync(CancellationToken.None);
            versions.Add(engine.CorpusVersion);
        }

        await UntilAnsweredMoreThan(Volatile.Read(ref answered));

        await stop.CancelAsync();
        await Task.WhenAll(askers);
        Assert.Empty(failures);
        Assert.True(answered > 0);
        Assert.Equal(9, versions.Count);
        var latest = engine.Answer(new Question("What is the lighthouse7 export register?", QuestionContext.Cli));
        Assert.Equal("extra-7.md", latest.Citations[0].DocumentPath);
    }
}
