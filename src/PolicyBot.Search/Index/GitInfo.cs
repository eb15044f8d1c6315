namespace PolicyBot.Search.Index;

/// <summary>Reads the commit a folder is checked out at, from the .git files (no git process is run).</summary>
public static class GitInfo
{
    /// <summary>The short commit id of the checkout containing <paramref name="folder"/>, or null.</summary>
    public static string? ShortCommit(string folder)
    {
        try
        {
            var dir = new DirectoryInfo(Path.GetFullPath(folder));
            while (dir is not null)
            {
                var git = Path.Combine(dir.FullName, ".git");
                if (File.Exists(git))
                {
                    // A worktree or submodule: "gitdir: <path>".
                    var line = File.ReadAllText(git).Trim();
                    if (line.StartsWith("gitdir:", StringComparison.Ordinal))
                    {
                        git = Path.GetFullPath(Path.Combine(dir.FullName, line[7..].Trim()));
                    }
                }

                if (Directory.Exists(git))
                {
                    return Resolve(git);
                }

                dir = dir.Parent;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private static string? Resolve(string gitDir)
    {
        var headPath = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headPath))
        {
            return null;
        }

        var head = File.ReadAllText(headPath).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal))
        {
            return Short(head);
        }

        var reference = head[4..].Trim();
        var common = gitDir;
        var commonFile = Path.Combine(gitDir, "commondir");
        if (File.Exists(commonFile))
        {
            common = Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonFile).Trim()));
        }

        foreach (var root in new[] { gitDir, common })
        {
            var refFile = Path.Combine(root, reference);
            if (File.Exists(refFile))
            {
                return Short(File.ReadAllText(refFile).Trim());
            }
        }

        var packed = Path.Combine(common, "packed-refs");
        if (File.Exists(packed))
        {
            foreach (var line in File.ReadLines(packed))
            {
                if (line.EndsWith(" " + reference, StringComparison.Ordinal))
                {
                    return Short(line[..line.IndexOf(' ', StringComparison.Ordinal)]);
                }
            }
        }

        return null;
    }

    private static string? Short(string sha) => sha.Length >= 12 && sha.All(char.IsAsciiHexDigit) ? sha[..12] : null;
}
