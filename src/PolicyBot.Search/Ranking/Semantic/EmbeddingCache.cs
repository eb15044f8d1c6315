using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PolicyBot.Search.Ranking.Semantic;

/// <summary>
/// Passage vectors kept beside the index, keyed by a hash of the model and the embedded text, so a one-file edit
/// re-embeds only that file's changed passages and the cache survives any rebuild of the lexical index. One binary
/// sidecar file per model, written whole to a temporary file and moved into place (a crash leaves the old one).
/// </summary>
public sealed class EmbeddingCache
{
    private const uint Magic = 0x31424550; // "PEB1"

    private readonly Dictionary<string, float[]> _vectors;

    private EmbeddingCache(string path, string modelId, Dictionary<string, float[]> vectors)
    {
        Path = path;
        ModelId = modelId;
        _vectors = vectors;
    }

    public string Path { get; }

    public string ModelId { get; }

    public int Count => _vectors.Count;

    /// <summary>The sidecar file for a model beside an index: <c>.policybot/index.embeddings-all-minilm-l6-v2.bin</c> for <c>.policybot/index</c>.</summary>
    public static string PathFor(string indexPath, string modelId)
    {
        ArgumentNullException.ThrowIfNull(indexPath);
        ArgumentNullException.ThrowIfNull(modelId);
        // Beside the Lucene folder, not in it: the index folder holds only what Lucene writes.
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(indexPath));
        var name = new string(modelId.TakeWhile(c => c != '@').Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $"{System.IO.Path.GetFileNameWithoutExtension(full)}.embeddings-{name}.bin");
    }

    /// <summary>The key of a text: SHA-256 of the model id and the text, hex.</summary>
    public static string Key(string modelId, string text)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(modelId + "\n" + text)));
    }

    public bool TryGet(string key, out float[] vector) => _vectors.TryGetValue(key, out vector!);

    /// <summary>Opens the sidecar; a missing, truncated or foreign file gives an empty cache (the passages are embedded again).</summary>
    public static EmbeddingCache Open(string path, string modelId)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(path))
            {
                using var stream = File.OpenRead(path);
                using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: false);
                if (reader.ReadUInt32() == Magic && reader.ReadString() == modelId)
                {
                    var dim = reader.ReadInt32();
                    var count = reader.ReadInt32();
                    if (dim is > 0 and <= 4096 && count >= 0 && (long)count * ((dim * 4) + 32) <= stream.Length)
                    {
                        var bytes = new byte[dim * 4];
                        for (var i = 0; i < count; i++)
                        {
                            var key = Convert.ToHexString(reader.ReadBytes(32));
                            if (reader.Read(bytes, 0, bytes.Length) != bytes.Length)
                            {
                                break;
                            }

                            var v = new float[dim];
                            for (var d = 0; d < dim; d++)
                            {
                                v[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(d * 4));
                            }

                            vectors[key] = v;
                        }
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException or FormatException)
        {
            vectors.Clear();
        }

        return new EmbeddingCache(path, modelId, vectors);
    }

    /// <summary>Writes exactly these vectors (the live passages'), so the file never grows with deleted ones.</summary>
    public static void Save(string path, string modelId, IReadOnlyCollection<KeyValuePair<string, float[]>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var dim = entries.Count == 0 ? 0 : entries.First().Value.Length;
        var tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(modelId);
            writer.Write(dim);
            writer.Write(entries.Count);
            var bytes = new byte[dim * 4];
            foreach (var (key, v) in entries)
            {
                writer.Write(Convert.FromHexString(key));
                for (var d = 0; d < dim; d++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(d * 4), d < v.Length ? v[d] : 0f);
                }

                writer.Write(bytes);
            }
        }

        File.Move(tmp, path, overwrite: true);
    }
}
