using PolicyBot.Core.Watching;

namespace PolicyBot.Core.State;

/// <summary>What <see cref="IWatchStore.AddWatchAsync"/> did.</summary>
public enum WatchAddResult
{
    /// <summary>The watch is new.</summary>
    Added,

    /// <summary>The channel already watched the same thing (its delivery reference was refreshed; its label is kept).</summary>
    Exists,

    /// <summary>The channel has the most watches allowed; nothing was stored.</summary>
    Full,
}

/// <summary>
/// Watch subscriptions (<c>/watch add</c>): which channel or conversation wants a notice when a document on a topic
/// or jurisdiction arrives or changes. Both stores keep them, so they survive restarts and every replica sees them.
/// </summary>
public interface IWatchStore
{
    /// <summary>
    /// Stores <paramref name="watch"/> unless the channel already has it (then only its delivery reference is
    /// refreshed: a Teams serviceUrl can change) or already has <paramref name="maxPerChannel"/> watches. Atomic across processes.
    /// </summary>
    Task<WatchAddResult> AddWatchAsync(Watch watch, int maxPerChannel, CancellationToken cancellationToken);

    /// <summary>The watches of one channel, oldest first.</summary>
    Task<IReadOnlyList<Watch>> ListWatchesAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>Removes one watch; false when the channel had no such watch.</summary>
    Task<bool> RemoveWatchAsync(string platform, string channelId, WatchKind kind, string key, CancellationToken cancellationToken);

    /// <summary>Removes every watch of a channel (the bot was removed from it); returns how many went.</summary>
    Task<int> RemoveChannelWatchesAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>Every watch of every channel (for the notices after a reload), by platform then channel, oldest first.</summary>
    Task<IReadOnlyList<Watch>> ReadAllWatchesAsync(CancellationToken cancellationToken);
}
