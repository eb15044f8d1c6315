namespace PolicyBot.State.Sqlite;

/// <summary>Where the SQLite state lives: a file beside the index, so every verb that takes <c>--index</c> finds it.</summary>
public static class BotStorePaths
{
    /// <summary>
    /// The state file for an index: <c>&lt;index name without extension&gt;.state.db</c> in the index's folder
    /// (<c>.policybot/index.db</c> → <c>.policybot/index.state.db</c>).
    /// </summary>
    public static string StateFileFor(string indexPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(indexPath);
        var full = Path.GetFullPath(indexPath);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"The index path '{indexPath}' has no folder.", nameof(indexPath));
        var name = Path.GetFileNameWithoutExtension(full);
        if (name.Length == 0)
        {
            throw new ArgumentException($"The index path '{indexPath}' names a folder, not a file.", nameof(indexPath));
        }

        return Path.Combine(folder, name + ".state.db");
    }
}
