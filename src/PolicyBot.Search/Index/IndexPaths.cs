namespace PolicyBot.Search.Index;

/// <summary>Where the index lives, and what an old-style index path (the SQLite file of earlier versions) now means.</summary>
public static class IndexPaths
{
    /// <summary>The default index folder, relative to the working directory.</summary>
    public static string Default { get; } = Path.Combine(".policybot", "index");

    /// <summary>The extension of the SQLite index file that earlier versions wrote.</summary>
    public const string LegacyExtension = ".db";

    public static bool IsLegacy(string path) => path.EndsWith(LegacyExtension, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>.policybot/index.db</c> → <c>.policybot/index</c>; any other path unchanged (trailing separators dropped).</summary>
    public static string FromLegacy(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var trimmed = Path.TrimEndingDirectorySeparator(path);
        return IsLegacy(trimmed) ? trimmed[..^LegacyExtension.Length] : trimmed;
    }

    /// <summary>What to tell the user when <paramref name="given"/> was an old-style path; null when it was not.</summary>
    public static string? LegacyNotice(string given)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(given);
        if (!IsLegacy(Path.TrimEndingDirectorySeparator(given)))
        {
            return null;
        }

        var folder = FromLegacy(given);
        var old = File.Exists(given) ? $" The old SQLite index {given} is no longer read; it can be deleted." : "";
        return $"The index is now a Lucene folder: using {folder} for --index {given}.{old}";
    }
}
