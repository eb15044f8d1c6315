using Npgsql;
using PolicyBot.Core.State;
using PolicyBot.Core.Watching;

namespace PolicyBot.State.Postgres;

public sealed partial class PostgresBotStore
{
    // pg_advisory_xact_lock(int4, int4): this constant ("wtch") and a hash of platform and channel.
    private const int WatchLockClass = 0x77746368;

    public async Task<WatchAddResult> AddWatchAsync(Watch watch, int maxPerChannel, CancellationToken cancellationToken)
    {
        WatchValues.Check(watch, maxPerChannel);
        ThrowIfDisposed();
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // The channel's lock makes refresh, count and insert one step for every process adding to that channel.
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using var command = new NpgsqlCommand("""
                    SELECT pg_advisory_xact_lock(@lock_class, hashtext(@platform || chr(10) || @channel_id));
                    """, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter<int>("lock_class", WatchLockClass));
                AddKey(command.Parameters, watch.Platform, watch.ChannelId, watch.Kind, watch.Key);
                command.Parameters.Add(new NpgsqlParameter<string>("label", StoreValues.Clean(watch.Label)));
                command.Parameters.Add(new NpgsqlParameter<string?>("reference", StoreValues.CleanOrNull(watch.Reference)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string?>("server_id", StoreValues.CleanOrNull(watch.ServerId)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("created_at", StoreValues.Truncate(watch.CreatedAt)));
                command.Parameters.Add(new NpgsqlParameter<int>("max", maxPerChannel));
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

                command.CommandText = """
                    UPDATE watches SET reference = coalesce(@reference, reference), server_id = coalesce(@server_id, server_id)
                    WHERE platform = @platform AND channel_id = @channel_id AND kind = @kind AND match_key = @match_key;
                    """;
                WatchAddResult result;
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
                {
                    result = WatchAddResult.Exists;
                }
                else
                {
                    command.CommandText = """
                        INSERT INTO watches (platform, channel_id, kind, match_key, label, server_id, reference, created_at)
                        SELECT @platform, @channel_id, @kind, @match_key, @label, @server_id, @reference, @created_at
                        WHERE (SELECT count(*) FROM watches WHERE platform = @platform AND channel_id = @channel_id) < @max;
                        """;
                    result = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? WatchAddResult.Added : WatchAddResult.Full;
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    public Task<IReadOnlyList<Watch>> ListWatchesAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        WatchValues.CheckChannel(platform, channelId);
        return ReadWatchesAsync("WHERE platform = @platform AND channel_id = @channel_id", p =>
        {
            p.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(platform)));
            p.Add(new NpgsqlParameter<string>("channel_id", StoreValues.Clean(channelId)));
        }, cancellationToken);
    }

    public async Task<bool> RemoveWatchAsync(string platform, string channelId, WatchKind kind, string key, CancellationToken cancellationToken)
    {
        WatchValues.CheckChannel(platform, channelId);
        StateKey.Check(key, nameof(key));
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            DELETE FROM watches WHERE platform = @platform AND channel_id = @channel_id AND kind = @kind AND match_key = @match_key;
            """);
        AddKey(command.Parameters, platform, channelId, kind, key);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<int> RemoveChannelWatchesAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        WatchValues.CheckChannel(platform, channelId);
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand("""
            DELETE FROM watches WHERE platform = @platform AND channel_id = @channel_id;
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(platform)));
        command.Parameters.Add(new NpgsqlParameter<string>("channel_id", StoreValues.Clean(channelId)));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<Watch>> ReadAllWatchesAsync(CancellationToken cancellationToken) => ReadWatchesAsync("", _ => { }, cancellationToken);

    private async Task<IReadOnlyList<Watch>> ReadWatchesAsync(string where, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await using var command = _dataSource.CreateCommand($"""
            SELECT platform, channel_id, kind, match_key, label, server_id, reference, created_at
            FROM watches {where}
            ORDER BY platform, channel_id, created_at, id;
            """);
        parameters(command.Parameters);
        var watches = new List<Watch>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(7),
                });
            }
        }

        return watches;
    }

    private static void AddKey(NpgsqlParameterCollection parameters, string platform, string channelId, WatchKind kind, string key)
    {
        parameters.Add(new NpgsqlParameter<string>("platform", StoreValues.Clean(platform)));
        parameters.Add(new NpgsqlParameter<string>("channel_id", StoreValues.Clean(channelId)));
        parameters.Add(new NpgsqlParameter<string>("kind", WatchValues.Kind(kind)));
        parameters.Add(new NpgsqlParameter<string>("match_key", StoreValues.Clean(key)));
    }
}
