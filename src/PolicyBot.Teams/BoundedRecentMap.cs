namespace PolicyBot.Teams;

/// <summary>A small thread-safe map that forgets its oldest entries past <c>capacity</c> (dedupe ids, message → answer links).</summary>
internal sealed class BoundedRecentMap<TValue>(int capacity)
{
    private readonly Dictionary<string, TValue> _map = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Adds the key; false when it was already present (the existing value is kept).</summary>
    public bool TryAdd(string key, TValue value)
    {
        lock (_lock)
        {
            if (!_map.TryAdd(key, value))
            {
                return false;
            }

            _order.Enqueue(key);
            while (_order.Count > capacity)
            {
                _map.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    /// <summary>Forgets <paramref name="key"/> (its slot in the eviction order is reclaimed lazily).</summary>
    public void Remove(string key)
    {
        lock (_lock)
        {
            _map.Remove(key);
        }
    }

    public bool TryGet(string key, out TValue? value)
    {
        lock (_lock)
        {
            return _map.TryGetValue(key, out value);
        }
    }
}
