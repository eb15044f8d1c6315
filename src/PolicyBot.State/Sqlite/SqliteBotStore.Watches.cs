using System.Globalization;
using Microsoft.Data.Sqlite;
using PolicyBot.Core.State;
using PolicyBot.Core.Watching;

namespace PolicyBot.State.Sqlite;

public sealed partial class SqliteBotStore
{
    public Task<WatchAddResult> AddWatchAsync(Watch watch, int maxPerChannel, CancellationToken cancellationToken)
    {
        WatchValues.Check(watch, maxPerChannel);
        return RunAsync(connection =>
        {
            // One write transaction (BEGIN IMMEDIATE): the refresh, the count and the insert see the same rows in every process.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE watches SET reference = coalesce(@reference, reference), server_id = coalesce(@server_id, server_id)
                WHERE platform = @platform AND channel_id = @channel_id AND kind = @kind AND match_key = @match_key;
                """;
            AddKey(command, watch.Platform, watch.ChannelId, watch.Kind, watch.Key);
            command.Parameters.AddWithValue("@label", StoreValues.Clean(watch.Label));
            command.Parameters.AddWithValue("@reference", (object?)StoreValues.CleanOrNull(watch.Reference) ?? DBNull.Value);
            command.Parameters.AddWithValue("@server_id", (object?)StoreValues.CleanOrNull(watch.ServerId) ?? DBNull.Value);
            if (command.ExecuteNonQuery() > 0)
            {
                transaction.Commit();
                return WatchAddResult.Exists;
            }

            command.CommandText = """
                SELECT count(*) FROM watches WHERE platform = @platform AND channel_id = @channel_id;
                """;
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) >= maxPerChannel)
            {
                transaction.Commit();
                return WatchAddResult.Full;
            }

            command.CommandText = """
                INSERT INTO watches (platform, channel_id, kind, match_key, label, server_id, reference, created_us)
                VALUES (@platform, @channel_id, @kind, @match_key, @label, @server_id, @reference, @created_us);
                """;
            command.Parameters.AddWithValue("@created_us", StoreValues.ToMicroseconds(watch.CreatedAt));
            command.ExecuteNonQuery();
            transaction.Commit();
            return WatchAddResult.Added;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Watch>> ListWatchesAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        WatchValues.CheckChannel(platform, channelId);
        return RunAsync<IReadOnlyList<Watch>>(connection => ReadWatches(connection, "WHERE platform = @platform AND channel_id = @channel_id", c =>
        {
            c.Parameters.AddWithValue("@platform", StoreValues.Clean(platform));
            c.Parameters.AddWithValue("@channel_id", StoreValues.Clean(channelId));
        }), cancellationToken);
    }

    public Task<bool> RemoveWatchAsync(string platform, string channelId, WatchKind kind, string key, CancellationToken cancellationToken)
    {
        WatchValues.CheckChannel(platform, channelId);
        StateKey.Check(key, nameof(key));
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM watches WHERE platform = @platform AND channel_id = @channel_id AND kind = @kind AND match_key = @match_key;
                """;
            AddKey(command, platform, channelId, kind, key);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<int> RemoveChannelWatchesAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        WatchValues.CheckChannel(platform, channelId);
        return RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM watches WHERE platform = @platform AND channel_id = @channel_id;
                """;
            command.Parameters.AddWithValue("@platform", StoreValues.Clean(platform));
            command.Parameters.AddWithValue("@channel_id", StoreValues.Clean(channelId));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Watch>> ReadAllWatchesAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Watch>>(connection => ReadWatches(connection, "", _ => { }), cancellationToken);

    private static List<Watch> ReadWatches(SqliteConnection connection, string where, Action<SqliteCommand> parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT platform, channel_id, kind, match_key, label, server_id, reference, created_us
            FROM watches {where}
            ORDER BY platform, channel_id, created_us, rowid;
            """;
        parameters(command);
        using var reader = command.ExecuteReader();
        var watches = new List<Watch>();
        while (reader.Read())
        {
            watches.Add(new Watch
            {
                Platform = reader.GetString(0),
                ChannelId = reader.GetString(1),
                Kind = WatchValues.Kind(reader.GetString(2)),
                Key = reader.GetString(3),
                Label = reader.GetString(4),
                ServerId = reader.IsDBNull(5) ? null : reader.GetString(5),
                Reference = reader.IsDBNull(6) ? null : reader.GetString(6),
                CreatedAt = StoreValues.FromMicroseconds(reader.GetInt64(7)),
            });
        }

        return watches;
    }

    private static void AddKey(SqliteCommand command, string platform, string channelId, WatchKind kind, string key)
    {
        command.Parameters.AddWithValue("@platform", StoreValues.Clean(platform));
        command.Parameters.AddWithValue("@channel_id", StoreValues.Clean(channelId));
        command.Parameters.AddWithValue("@kind", WatchValues.Kind(kind));
        command.Parameters.AddWithValue("@match_key", StoreValues.Clean(key));
    }
}
