namespace PolicyBot.Host.Cli;

/// <summary>
/// Loads <c>KEY=value</c> lines from a <c>.env</c> file into the process environment, never overriding a
/// variable that is already set (the real environment wins). Quotes around values are removed; <c>#</c> lines
/// are comments; <c>export KEY=value</c> is accepted.
/// </summary>
internal static class EnvFile
{
    public static IReadOnlyList<string> Load(string path)
    {
        var loaded = new List<string>();
        if (!File.Exists(path))
        {
            return loaded;
        }

        foreach (var raw in File.ReadLines(path))
        {
            if (Parse(raw) is not var (key, value))
            {
                continue;
            }

            if (Environment.GetEnvironmentVariable(key) is null)
            {
                Environment.SetEnvironmentVariable(key, value);
                loaded.Add(key);
            }
        }

        return loaded;
    }

    /// <summary>One line → (key, value), or null for blanks, comments and malformed lines.</summary>
    internal static (string Key, string Value)? Parse(string line)
    {
        var s = line.Trim();
        if (s.Length == 0 || s[0] == '#')
        {
            return null;
        }

        if (s.StartsWith("export ", StringComparison.Ordinal))
        {
            s = s[7..].TrimStart();
        }

        var eq = s.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return null;
        }

        var key = s[..eq].Trim();
        if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return null;
        }

        var value = s[(eq + 1)..].Trim();
        if (value.Length >= 2 && ((value[0] == '"' && value[^1] == '"') || (value[0] == '\'' && value[^1] == '\'')))
        {
            value = value[1..^1];
        }
        else
        {
            var hash = value.IndexOf(" #", StringComparison.Ordinal);
            if (hash >= 0)
            {
                value = value[..hash].TrimEnd();
            }
        }

        return (key, value);
    }
}
