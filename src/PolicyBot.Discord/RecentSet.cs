namespace PolicyBot.Discord;

/// <summary>A bounded most-recent map (oldest evicted first), used to dedupe dispatches and remember answers and threads.</summary>
internal sealed class RecentMap<TValue>(int capacity)
{
    private readonly Dictionary<string, TValue> _items = [];
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds <paramref name="key"/>; false when it was already present (a duplicate).</summary>
    public bool TryAdd(string key, TValue value)
    {
        lock (_gate)
        {
            if (!_items.TryAdd(key, value))
            {
                return false;
            }

            _order.Enqueue(key);
            while (_order.Count > capacity)
            {
                _items.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    public void Set(string key, TValue value)
    {
        lock (_gate)
        {
            if (_items.ContainsKey(key))
            {
                _items[key] = value;
                return;
            }
        }

        TryAdd(key, value);
    }

    public bool TryGet(string key, out TValue value)
    {
        lock (_gate)
        {
            return _items.TryGetValue(key, out value!);
        }
    }

    public void Remove(string key)
    {
        lock (_gate)
        {
            _items.Remove(key);
        }
    }
}
