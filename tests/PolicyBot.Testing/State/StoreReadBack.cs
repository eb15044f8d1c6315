using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Sqlite;

namespace PolicyBot.Testing.State;

/// <summary>Reads back what a bot stored, through the store's own query interface (never raw SQL on its tables).</summary>
public static class StoreReadBack
{
    /// <summary>Every feedback row, in the order it was recorded.</summary>
    public static Task<IReadOnlyList<Feedback>> FeedbackAsync(IAuditQueries store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.QueryFeedbackAsync(null, null, 100_000, cancellationToken);
    }

    /// <summary>The feedback rows once at least <paramref name="count"/> are stored (adapters acknowledge a click first, then write), or what is there after the timeout.</summary>
    public static async Task<IReadOnlyList<Feedback>> WaitForFeedbackAsync(IAuditQueries store, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var rows = await FeedbackAsync(store).ConfigureAwait(false);
            if (rows.Count >= count || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}

/// <summary>The real SQLite bot store on a fresh temp file (migrated), removed on dispose.</summary>
public sealed class TempStateStore : IAsyncDisposable
{
    private TempStateStore(SqliteBotStore store) => Store = store;

    public SqliteBotStore Store { get; }

    public static async Task<TempStateStore> CreateAsync()
    {
        var store = new SqliteBotStore(Corpus.TestCorpus.NewStateFile());
        await store.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        return new TempStateStore(store);
    }

    /// <summary>Every feedback row, in the order it was recorded (through <see cref="IAuditQueries"/>).</summary>
    public Task<IReadOnlyList<Feedback>> ReadFeedbackAsync() => StoreReadBack.FeedbackAsync(Store);

    public async ValueTask DisposeAsync()
    {
        var file = Store.FilePath;
        await Store.DisposeAsync().ConfigureAwait(false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Left for the process-exit cleanup of the shared temp folder.
            }
        }
    }
}
