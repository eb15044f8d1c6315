namespace PolicyBot.Core.Operations;

/// <summary>
/// A thread-safe map that forgets its oldest entries past <c>capacity</c> (dispatch/activity dedupe ids, answers
/// behind buttons, bot threads, message → answer links). Insertion order decides eviction; removing a key takes it
/// out of the order as well, so a key added again after a removal gets a fresh place and is never evicted by its
/// stale one. Hand-written: the BCL and Microsoft.Extensions.Caching have no count-bounded FIFO map (MemoryCache
/// bounds by size with compaction sweeps, not one-in one-out).
/// </summary>
public sealed class BoundedRecentMap<TValue>
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _items = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TValue Value)> _order = new();
    private readonly Lock _gate = new();

    public BoundedRecentMap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

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

    /// <summary>Adds <paramref name="key"/>; false when it was already present (a duplicate; the existing value is kept).</summary>
    public bool TryAdd(string key, TValue value)
    {
        lock (_gate)
        {
            if (_items.ContainsKey(key))
            {
                return false;
            }

            AddNew(key, value);
            return true;
        }
    }

    /// <summary>Adds or replaces the value; a replaced key keeps its place in the eviction order.</summary>
    public void Set(string key, TValue value)
    {
        lock (_gate)
        {
            if (_items.TryGetValue(key, out var node))
            {
                node.Value = (key, value);
                return;
            }

            AddNew(key, value);
        }
    }

    public bool TryGet(string key, out TValue value)
    {
        lock (_gate)
        {
            if (_items.TryGetValue(key, out var node))
            {
                value = node.Value.Value;
                return true;
            }

            value = default!;
            return false;
        }
    }

    /// <summary>Forgets <paramref name="key"/> and its place in the eviction order.</summary>
    public bool Remove(string key)
    {
        lock (_gate)
        {
            if (!_items.Remove(key, out var node))
            {
                return false;
            }

            _order.Remove(node);
            return true;
        }
    }

    private void AddNew(string key, TValue value)
    {
        _items[key] = _order.AddLast((key, value));
        while (_items.Count > _capacity)
        {
            var oldest = _order.First!;
            _order.RemoveFirst();
            _items.Remove(oldest.Value.Key);
        }
    }
}
