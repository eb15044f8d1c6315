using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.Text;

namespace PolicyBot.Search.Index;

/// <summary>
/// The engine as the adapters see it while the host runs: before the index has loaded, questions are refused
/// with a reason and the catalog is empty; afterwards every call goes to the engine's current snapshot.
/// </summary>
public sealed class LiveIndex : IQuestionAnswerer, ICorpusCatalog
{
    private PolicyBotEngine? _engine;

    public PolicyBotEngine? Engine => Volatile.Read(ref _engine);

    public bool IsLoaded => Engine is not null;

    public void Set(PolicyBotEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Volatile.Write(ref _engine, engine);
    }

    public IReadOnlyList<CorpusDocumentInfo> Documents => Engine?.Documents ?? [];

    public string CorpusVersion => Engine?.CorpusVersion ?? "";

    public DateTimeOffset LastIndexed => Engine?.LastIndexed ?? DateTimeOffset.MinValue;

    public IReadOnlyList<string> Suggest(string prefix, int limit) => Engine?.Suggest(prefix, limit) ?? [];

    public Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        cancellationToken.ThrowIfCancellationRequested();
        var engine = Engine;
        return Task.FromResult(engine is null
            ? Refusals.Make(question, "index loading", "The policy index is still loading; please ask again in a moment.", "")
            : engine.Answer(question));
    }
}
