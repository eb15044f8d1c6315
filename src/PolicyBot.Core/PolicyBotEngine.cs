using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Core;

/// <summary>Settings for the answer engine (bound from configuration in the host).</summary>
public sealed class PolicyBotOptions
{
    /// <summary>Corpus folders; default <c>./corpus</c>.</summary>
    public IList<string> CorpusDirectories { get; } = new List<string>();

    /// <summary>The SQLite index file; default <c>.policybot/index.db</c>.</summary>
    public string IndexPath { get; set; } = Path.Combine(".policybot", "index.db");
}

/// <summary>
/// Opens (building or refreshing when missing or stale) the index over the corpus folders and answers questions.
/// TEMPORARY SIGNATURE STUB: the implementation lands on main shortly; the public shape will not change.
/// </summary>
public sealed class PolicyBotEngine : IQuestionAnswerer, ICorpusCatalog, IAsyncDisposable
{
    private PolicyBotEngine()
    {
    }

    public static Task<PolicyBotEngine> OpenAsync(PolicyBotOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    public IReadOnlyList<CorpusDocumentInfo> Documents => [];

    public string CorpusVersion => "";

    public DateTimeOffset LastIndexed => default;

    public IReadOnlyList<string> Suggest(string prefix, int limit) => [];

    public Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
