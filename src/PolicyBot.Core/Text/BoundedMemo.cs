using System.Collections.Concurrent;

namespace PolicyBot.Core.Text;

/// <summary>
/// Remembers a pure function's results for short strings, up to a fixed number of entries (then it just
/// computes). The answer composer runs the same regular expressions over the same passage sentences question
/// after question; this keeps their results at hand. Thread-safe.
/// </summary>
public sealed class BoundedMemo<T>(Func<string, T> compute, int capacity = 8192, int maxKeyLength = 4096)
{
    private readonly ConcurrentDictionary<string, T> _values = new(StringComparer.Ordinal);

    public T Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_values.TryGetValue(key, out var value))
        {
            return value;
        }

        value = compute(key);
        if (key.Length <= maxKeyLength && _values.Count < capacity)
        {
            _values.TryAdd(key, value);
        }

        return value;
    }
}
