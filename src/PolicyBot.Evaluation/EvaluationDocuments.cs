using System.Security.Cryptography;
using System.Text;
using PolicyBot.Search.Corpus;

namespace PolicyBot.Evaluation;

/// <summary>
/// Builds <see cref="SourceDocument"/>s for evaluation collections (one BEIR entry = one document) through the same
/// passage rules as the corpus: the text is split into paragraph blocks (blank-line separated) and
/// <see cref="PassageBuilder"/> merges and cuts them exactly as it does for a corpus file.
/// </summary>
public static class EvaluationDocuments
{
    /// <summary>Prefix of the index key of evaluation documents (they have no file).</summary>
    public const string KeyPrefix = "eval:";

    public static SourceDocument Create(string id, string title, string text)
    {
        ArgumentNullException.ThrowIfNull(id);
        title ??= "";
        text = (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var blocks = new List<TextBlock>();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
            if (end < 0)
            {
                end = text.Length;
            }

            if (end > start)
            {
                blocks.Add(new TextBlock("", start, end));
            }

            start = end + 2;
        }

        return new SourceDocument
        {
            Path = id,
            FullPath = KeyPrefix + id,
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(title + "\0" + text))),
            Metadata = new DocumentMetadata { Title = title.Trim(), Kind = DocumentKinds.Article },
            Text = text,
            Passages = PassageBuilder.Build(text, blocks),
        };
    }

    /// <summary>
    /// The collection <paramref name="copies"/> times over (copy k &gt; 0 gets the id suffix <c>~k</c>), to measure how
    /// indexing and answering scale with the number of passages.
    /// </summary>
    public static IEnumerable<SourceDocument> Replicate(IReadOnlyList<SourceDocument> documents, int copies)
    {
        ArgumentNullException.ThrowIfNull(documents);
        for (var k = 0; k < Math.Max(1, copies); k++)
        {
            foreach (var d in documents)
            {
                yield return k == 0 ? d : d with { Path = $"{d.Path}~{k}", FullPath = $"{d.FullPath}~{k}" };
            }
        }
    }
}
