using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Language;
using PolicyBot.Core.Searching;
using PolicyBot.Search.Corpus;
using Lucene.Net.Search;
using PolicyBot.Search.Index;
using PolicyBot.Search.Ranking.Semantic;
using PolicyBot.Search.Retrieval;
using PolicyBot.Core.Text;

namespace PolicyBot.Search;

/// <summary>Settings for the answer engine (bound from configuration in the host).</summary>
public sealed class PolicyBotOptions
{
    /// <summary>Corpus folders; empty means <c>./corpus</c>.</summary>
    public IList<string> CorpusDirectories { get; } = new List<string>();

    /// <summary>The Lucene index folder; default <c>.policybot/index</c>. An old-style <c>….db</c> path means the folder beside it without the extension.</summary>
    public string IndexPath { get; set; } = DefaultIndexPath;

    public static string DefaultIndexPath { get; } = IndexPaths.Default;

    public static string DefaultCorpus { get; } = "corpus";

    /// <summary>Corpus files larger than this are skipped with a reason.</summary>
    public long MaxDocumentBytes { get; set; } = DocumentReader.DefaultMaxBytes;

    public RankingOptions Ranking { get; set; } = RankingOptions.Default;

    public AnswerOptions Answering { get; set; } = AnswerOptions.Default;

    /// <summary>The semantic stage (off unless the host turns it on; the lexical path is complete without it).</summary>
    public SemanticOptions Semantic { get; set; } = SemanticOptions.Off;

    internal IReadOnlyList<string> EffectiveCorpus => CorpusDirectories.Count > 0 ? CorpusDirectories.ToList() : [DefaultCorpus];
}

/// <summary>
/// The answer engine: keeps the Lucene index in line with the corpus folders, holds the current view of it (a
/// reader from a <see cref="SearcherManager"/> and the searcher over it), and answers questions extractively with
/// citations. A refresh commits beside the live reader, reopens, and swaps the new view in atomically; each
/// question holds its view's reader until it is answered, so a reload never closes a reader under a question.
/// </summary>
public sealed partial class PolicyBotEngine : IQuestionAnswerer, ICorpusCatalog, IAsyncDisposable
{
    private readonly PolicyBotOptions _options;
    private readonly LuceneIndex _index;
    private SearcherManager? _manager;
    private readonly ILogger _logger;
    private readonly AnswerComposer _composer;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private State _state;

    private sealed record State(IndexView View, Searcher Searcher, string CorpusVersion, string SynonymsKey, IReadOnlyList<CorpusDocumentInfo> Documents, Glossary Glossary, SemanticIndex? Semantic);

    private PolicyBotEngine(PolicyBotOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _logger = loggerFactory.CreateLogger<PolicyBotEngine>();
        var notice = IndexPaths.LegacyNotice(options.IndexPath);
        if (notice is not null)
        {
            LogLegacyIndexPath(_logger, notice);
        }

        _index = new LuceneIndex(IndexPaths.FromLegacy(options.IndexPath), loggerFactory.CreateLogger<LuceneIndex>());
        _composer = new AnswerComposer(options.Answering);
        _state = MakeState(IndexView.Empty, Synonyms.None, "", "empty");
    }

    public PolicyBotOptions Options => _options;

    /// <summary>What the last refresh did.</summary>
    public IndexReport LastReport { get; private set; } = new();

    /// <summary>The index version answering now.</summary>
    public IndexView View => _state.View;

    /// <summary>The index folder in use.</summary>
    public string IndexFolder => _index.Path;

    /// <summary>The searcher answering now (for evaluation and benchmarks).</summary>
    public Searcher Searcher => _state.Searcher;

    /// <summary>Opens the index, building or refreshing it from the corpus folders first.</summary>
    public static async Task<PolicyBotEngine> OpenAsync(PolicyBotOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var engine = new PolicyBotEngine(options, loggerFactory ?? NullLoggerFactory.Instance);
        await engine.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return engine;
    }

    /// <summary>Indexes the given documents (an evaluation collection) into the index file, replacing its content, and opens it.</summary>
    public static PolicyBotEngine OpenDocuments(IEnumerable<SourceDocument> documents, PolicyBotOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var engine = new PolicyBotEngine(options, loggerFactory);
        var sw = Stopwatch.StartNew();
        var count = engine._index.ReplaceAll(documents, cancellationToken);
        engine._manager = engine._index.OpenSearcherManager();
        var view = new IndexView(engine._manager, engine._manager.Acquire(), cancellationToken);
        engine._state = engine.MakeState(view, Synonyms.None, "", view.BuildId);
        engine.LastReport = new IndexReport { Documents = count, Passages = view.PassageCount, BuildId = view.BuildId, Elapsed = sw.Elapsed };
        return engine;
    }

    /// <summary>Syncs the index with the corpus folders and swaps in a new snapshot when anything changed.</summary>
    public async Task<IndexReport> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var dirs = _options.EffectiveCorpus;
            var report = await Task.Run(() => _index.Sync(dirs, _options.MaxDocumentBytes, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (report.ReadOnlyReason is not null)
            {
                LogReadOnly(_logger, report.ReadOnlyReason);
            }

            var synonymsKey = SynonymsKey(dirs) + Glossary.FilesKey(dirs);
            var current = _state;
            var next = await Task.Run(() => Reopen(current, synonymsKey, dirs, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (next is not null)
            {
                Volatile.Write(ref _state, next);
                current.View.Retire();
                LogSwapped(_logger, next.CorpusVersion, next.View.Documents.Count, next.View.PassageCount);
            }

            foreach (var skipped in report.Skipped)
            {
                LogSkipped(_logger, skipped.Path, skipped.Reason);
            }

            LastReport = report;
            return report;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>The semantic stage for a new index version (passage vectors from the sidecar cache, new ones embedded), or null when off or empty.</summary>
    private SemanticIndex? BuildSemantic(Searcher searcher)
    {
        if (!_options.Semantic.Enabled || searcher.PassageCount == 0)
        {
            return null;
        }

        var encoder = SentenceEncoders.Get(_options.Semantic.Model);
        var semantic = SemanticIndex.Build(searcher, encoder, _options.Semantic, EmbeddingCache.PathFor(_options.IndexPath, encoder.ModelId), CancellationToken.None);
        LogEmbedded(_logger, semantic.Embedded, semantic.Count, semantic.Elapsed.TotalMilliseconds);
        return semantic;
    }

    /// <summary>The semantic stage answering now (null when off).</summary>
    public SemanticIndex? Semantic => _state.Semantic;

    private Glossary LoadGlossary(IReadOnlyList<string> dirs)
    {
        var problems = new List<GlossaryProblem>();
        var glossary = Glossary.Load(dirs, problems);
        foreach (var p in problems)
        {
            LogGlossaryProblem(_logger, p.Line, p.Message);
        }

        return glossary;
    }

    /// <summary>The new state when the last commit or the synonyms differ from what is served; null when nothing changed.</summary>
    private State? Reopen(State current, string synonymsKey, IReadOnlyList<string> dirs, CancellationToken cancellationToken)
    {
        if (_manager is null)
        {
            if (!_index.HasCommit)
            {
                throw new IOException($"The index at {_index.Path} has no commit yet and cannot be written now: {LastReport.ReadOnlyReason ?? "unknown reason"}.");
            }

            _manager = _index.OpenSearcherManager();
        }
        else
        {
            _manager.MaybeRefreshBlocking();
        }

        var searcher = _manager.Acquire();
        if (ReferenceEquals(searcher.IndexReader, current.View.Reader) && current.SynonymsKey == synonymsKey)
        {
            _manager.Release(searcher);
            return null;
        }

        var view = new IndexView(_manager, searcher, cancellationToken);
        var commit = dirs.Select(GitInfo.ShortCommit).FirstOrDefault(c => c is not null);
        var version = commit is null ? view.BuildId : $"{view.BuildId}+git.{commit}";
        return MakeState(view, Synonyms.Load(dirs), synonymsKey, version, LoadGlossary(dirs));
    }

    private State MakeState(IndexView view, Synonyms synonyms, string synonymsKey, string version, Glossary? glossary = null)
    {
        var searcher = new Searcher(view, synonyms, _options.Ranking);
        var docs = view.Documents
            .Select(d => new CorpusDocumentInfo(d.Path, d.Title, d.Kind, d.Source, d.Published, d.Jurisdictions, d.Topics, d.PassageCount, d.IndexedAt) { ContentHash = d.ContentHash, MainSource = d.MainSource })
            .ToList();
        return new State(view, searcher, version, synonymsKey, docs, glossary ?? Glossary.Empty, BuildSemantic(searcher));
    }

    private static string SynonymsKey(IReadOnlyList<string> dirs)
    {
        var sb = new StringBuilder();
        foreach (var dir in dirs)
        {
            var f = new FileInfo(Path.Combine(dir, Synonyms.FileName));
            if (f.Exists)
            {
                sb.Append(f.FullName).Append(':').Append(f.Length).Append(':').Append(f.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        }

        return sb.ToString();
    }

    public IReadOnlyList<CorpusDocumentInfo> Documents => _state.Documents;

    public string CorpusVersion => _state.CorpusVersion;

    public DateTimeOffset LastIndexed => _state.View.BuiltAt;

    public IReadOnlyList<string> Suggest(string prefix, int limit)
    {
        var state = _state;
        var p = (prefix ?? "").Trim();
        var all = state.Documents.Select(d => d.Title).Concat(state.Documents.SelectMany(d => d.Topics)).Distinct(StringComparer.OrdinalIgnoreCase);
        return all
            .Select(s => (s, rank: p.Length == 0 ? 1 : s.StartsWith(p, StringComparison.OrdinalIgnoreCase) ? 0 : s.Contains(p, StringComparison.OrdinalIgnoreCase) ? 1 : 2))
            .Where(x => x.rank < 2)
            .OrderBy(x => x.rank).ThenBy(x => x.s, StringComparer.OrdinalIgnoreCase)
            .Take(Math.Max(0, limit))
            .Select(x => x.s)
            .ToList();
    }

    public Task<Answer> AnswerAsync(Question question, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Answer(question));
    }

    /// <summary>The whole answer path, synchronously (it is CPU-bound and sub-millisecond).</summary>
    public Answer Answer(Question question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var started = Stopwatch.GetTimestamp();
        var state = Acquire();
        try
        {
            return Answer(question, state) with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }
        finally
        {
            state.View.Release();
        }
    }

    /// <summary>The current state with its reader held (a reload between reading the state and holding it is retried).</summary>
    private State Acquire()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state.View.TryAcquire())
            {
                return state;
            }
        }
    }

    private Answer Answer(Question question, State state)
    {
        Answer answer;
        var raw = question.Text ?? "";
        if (raw.Length > _options.Answering.MaxQuestionLength)
        {
            answer = new Answer
            {
                Id = AnswerComposer.NewId(),
                Question = TextCut.Clip(raw, 200),
                Outcome = AnswerOutcome.Refused,
                Text = $"That question is too long ({raw.Length:N0} characters); please ask in at most {_options.Answering.MaxQuestionLength:N0}.",
                Reason = "question too long",
                CorpusVersion = state.CorpusVersion,
            };
        }
        else
        {
            var text = QuestionText.Clean(raw);
            var context = string.IsNullOrWhiteSpace(question.Context.PreviousQuestion) ? null : QuestionText.Clean(question.Context.PreviousQuestion);
            if (text.Length == 0)
            {
                answer = _composer.Abstain(question with { Text = text }, "the question is empty", [], state.CorpusVersion);
            }
            else
            {
                // A Chinese question is searched for the English terms the glossary maps it to.
                var translation = ChineseQuestion.Translate(text, state.Glossary);
                var searchContext = context is null ? null : ChineseQuestion.Translate(context, state.Glossary).English;
                var top = Math.Max(10, question.MaxCitations * 3);
                var result = state.Searcher.Search(translation.English, new SearchOptions { Top = top, Context = searchContext });
                if (result.Query.IsEmpty && searchContext is not null)
                {
                    // "And when?" has nothing to search for alone: in a thread it asks about the question before it.
                    result = state.Searcher.Search($"{searchContext} {translation.English}", new SearchOptions { Top = top });
                }

                var evidence = new AnswerEvidence { Translation = translation.IsChinese ? translation : null };
                if (state.Semantic is { } semantic && semantic.IsNeeded(state.Searcher, result))
                {
                    // A follow-up ("And when?") means little alone: it is embedded with the question before it.
                    var semanticText = searchContext is null ? translation.English : $"{searchContext} {translation.English}";
                    var (fused, similarity, order) = semantic.Fuse(semanticText, result.Hits, top);
                    result = result with { Hits = fused };
                    evidence = SemanticIndex.WithSemantic(evidence, similarity, order);
                }

                answer = _composer.Compose(question with { Text = text }, result, state.Searcher, state.CorpusVersion, evidence);
            }
        }

        return answer;
    }

    public async ValueTask DisposeAsync()
    {
        await _refreshLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var state = _state;
            _state = MakeState(IndexView.Empty, Synonyms.None, "", "closed");
            state.View.Retire();
            _manager?.Dispose();
            _manager = null;
            _index.Dispose();
        }
        finally
        {
            _refreshLock.Release();
        }

        _refreshLock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving corpus version {CorpusVersion}: {Documents} documents, {Passages} passages")]
    private static partial void LogSwapped(ILogger logger, string corpusVersion, int documents, int passages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Semantic stage: embedded {Embedded} of {Passages} passages in {Milliseconds} ms (the rest from the cache)")]
    private static partial void LogEmbedded(ILogger logger, int embedded, int passages, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Glossary line {Line} ignored: {Problem}")]
    private static partial void LogGlossaryProblem(ILogger logger, int line, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Notice}")]
    private static partial void LogLegacyIndexPath(ILogger logger, string notice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index not refreshed: {Reason}")]
    private static partial void LogReadOnly(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped corpus file {Path}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string path, string reason);
}
