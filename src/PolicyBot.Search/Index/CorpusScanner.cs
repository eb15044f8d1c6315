using PolicyBot.Search.Corpus;

namespace PolicyBot.Search.Index;

/// <summary>A corpus file found on disk.</summary>
public sealed record CorpusFile(string FullPath, string RelativePath, long Size, long ModifiedTicks);

/// <summary>
/// Lists the document files under corpus folders: known extensions, no hidden files or folders, no symbolic
/// links (so a link loop cannot trap it), and not the maintainer files (README, schema, synonyms).
/// </summary>
public static class CorpusScanner
{
    /// <summary>Files in a corpus folder that configure it rather than being documents.</summary>
    public static IReadOnlySet<string> MaintainerFiles { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "README.md", "README.txt", "CONTRIBUTING.md", "schema.yaml", "schema.yml", "synonyms.txt", "LICENSE", "LICENSE.md", "LICENSE.txt",
    };

    public static (List<CorpusFile> Files, List<SkippedFile> Skipped) Scan(IEnumerable<string> corpusDirectories)
    {
        var files = new List<CorpusFile>();
        var skipped = new List<SkippedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in corpusDirectories)
        {
            var root = Path.GetFullPath(dir);
            if (!Directory.Exists(root))
            {
                skipped.Add(new SkippedFile(dir, "corpus folder does not exist"));
                continue;
            }

            Walk(root, root, files, skipped, seen, depth: 0);
        }

        files.Sort((a, b) => string.CompareOrdinal(a.FullPath, b.FullPath));
        return (files, skipped);
    }

    private static void Walk(string root, string dir, List<CorpusFile> files, List<SkippedFile> skipped, HashSet<string> seen, int depth)
    {
        if (depth > 32)
        {
            skipped.Add(new SkippedFile(Rel(root, dir), "folder nesting deeper than 32 levels"));
            return;
        }

        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new SkippedFile(Rel(root, dir), $"cannot list folder: {ex.Message}"));
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.Name.StartsWith('.') || entry.Name.StartsWith('_'))
            {
                continue;
            }

            if (entry.LinkTarget is not null)
            {
                skipped.Add(new SkippedFile(Rel(root, entry.FullName), "symbolic link (not followed)"));
                continue;
            }

            if (entry is DirectoryInfo sub)
            {
                Walk(root, sub.FullName, files, skipped, seen, depth + 1);
                continue;
            }

            if (entry is not FileInfo file || (depth == 0 && MaintainerFiles.Contains(file.Name)))
            {
                continue;
            }

            if (!DocumentReader.Extensions.Contains(file.Extension))
            {
                continue;
            }

            if (!seen.Add(file.FullName))
            {
                continue;
            }

            try
            {
                files.Add(new CorpusFile(file.FullName, Rel(root, file.FullName), file.Length, file.LastWriteTimeUtc.Ticks));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedFile(Rel(root, file.FullName), $"cannot read file: {ex.Message}"));
            }
        }
    }

    private static string Rel(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
