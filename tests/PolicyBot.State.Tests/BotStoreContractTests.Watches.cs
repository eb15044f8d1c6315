using PolicyBot.Core.State;
using PolicyBot.Core.Watching;

namespace PolicyBot.State.Tests;

/// <summary>The contract for watch subscriptions (schema version 4).</summary>
public abstract partial class BotStoreContractTests
{
    private static Watch NewWatch(string channel, WatchKind kind, string key, string? label = null, string platform = "discord", string? reference = null, int minute = 0) => new()
    {
        Platform = platform,
        ServerId = "guild-1",
        ChannelId = channel,
        Kind = kind,
        Key = key,
        Label = label ?? key,
        Reference = reference,
        CreatedAt = T0.AddMinutes(minute),
    };

    [StoreFact]
    public async Task Watches_AddListRemove_RoundTripAcrossStoresAndOldestFirst()
    {
        await Store.MigrateAsync(Ct);
        var other = Open();

        Assert.Equal(WatchAddResult.Added, await Store.AddWatchAsync(NewWatch("c1", WatchKind.Topic, "eu ai act", "EU AI Act", minute: 2), 25, Ct));
        Assert.Equal(WatchAddResult.Added, await other.AddWatchAsync(NewWatch("c1", WatchKind.Jurisdiction, "EU", "the EU", minute: 1), 25, Ct));
        Assert.Equal(WatchAddResult.Added, await Store.AddWatchAsync(NewWatch("c2", WatchKind.Topic, "eu ai act"), 25, Ct));
        Assert.Equal(WatchAddResult.Added, await Store.AddWatchAsync(NewWatch("c1", WatchKind.Topic, "eu ai act", platform: "teams", reference: """{"serviceUrl":"https://smba.example/"}"""), 25, Ct));

        var c1 = await other.ListWatchesAsync("discord", "c1", Ct);
        Assert.Equal(["EU", "eu ai act"], c1.Select(w => w.Key));
        Assert.Equal([WatchKind.Jurisdiction, WatchKind.Topic], c1.Select(w => w.Kind));
        var topic = c1[1];
        Assert.Equal("EU AI Act", topic.Label);
        Assert.Equal("guild-1", topic.ServerId);
        Assert.Equal(T0.AddMinutes(2), topic.CreatedAt);
        Assert.Null(topic.Reference);
        Assert.Equal("""{"serviceUrl":"https://smba.example/"}""", Assert.Single(await Store.ListWatchesAsync("teams", "c1", Ct)).Reference);

        var all = await other.ReadAllWatchesAsync(Ct);
        Assert.Equal(["discord/c1/EU", "discord/c1/eu ai act", "discord/c2/eu ai act", "teams/c1/eu ai act"], all.Select(w => $"{w.Platform}/{w.ChannelId}/{w.Key}"));

        Assert.False(await Store.RemoveWatchAsync("discord", "c1", WatchKind.Jurisdiction, "eu ai act", Ct)); // kind is part of the key
        Assert.True(await other.RemoveWatchAsync("discord", "c1", WatchKind.Topic, "eu ai act", Ct));
        Assert.False(await Store.RemoveWatchAsync("discord", "c1", WatchKind.Topic, "eu ai act", Ct));
        Assert.Equal(["EU"], (await Store.ListWatchesAsync("discord", "c1", Ct)).Select(w => w.Key));
        Assert.Single(await Store.ListWatchesAsync("discord", "c2", Ct));

        Assert.Equal(1, await Store.RemoveChannelWatchesAsync("discord", "c1", Ct));
        Assert.Empty(await other.ListWatchesAsync("discord", "c1", Ct));
        Assert.Equal(0, await Store.RemoveChannelWatchesAsync("discord", "c1", Ct));
        Assert.Equal(2, (await Store.ReadAllWatchesAsync(Ct)).Count);
    }

    [StoreFact]
    public async Task Watches_AddTwice_KeepsOneAndItsLabelAndRefreshesTheReference()
    {
        await Store.MigrateAsync(Ct);

        Assert.Equal(WatchAddResult.Added, await Store.AddWatchAsync(NewWatch("conv", WatchKind.Topic, "nist ai rmf", "nist ai rmf", "teams", """{"serviceUrl":"https://old.example/"}"""), 25, Ct));
        Assert.Equal(WatchAddResult.Exists, await Open().AddWatchAsync(NewWatch("conv", WatchKind.Topic, "nist ai rmf", "NIST AI RMF", "teams", """{"serviceUrl":"https://new.example/"}""", minute: 9), 25, Ct));

        var only = Assert.Single(await Store.ListWatchesAsync("teams", "conv", Ct));
        Assert.Equal("nist ai rmf", only.Label); // as first added
        Assert.Equal("""{"serviceUrl":"https://new.example/"}""", only.Reference);
        Assert.Equal(T0, only.CreatedAt); // still the first add
    }

    [StoreFact]
    public async Task Watches_ChannelLimit_HoldsUnderConcurrentAddsFromTwoStores()
    {
        await Store.MigrateAsync(Ct);
        IBotStore[] stores = [Store, Open()];
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 30)
            .Select(i => Task.Run(
                async () =>
                {
                    start.Wait(Ct);
                    return await stores[i % 2].AddWatchAsync(NewWatch("busy", WatchKind.Topic, $"topic {i}"), 10, Ct);
                },
                Ct))
            .ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(10, results.Count(r => r == WatchAddResult.Added));
        Assert.Equal(20, results.Count(r => r == WatchAddResult.Full));
        Assert.Equal(10, (await Store.ListWatchesAsync("discord", "busy", Ct)).Count);

        // Another channel is not limited by this one; an existing watch is still "Exists" at the limit.
        Assert.Equal(WatchAddResult.Added, await Store.AddWatchAsync(NewWatch("quiet", WatchKind.Topic, "topic 1"), 10, Ct));
        var kept = (await Store.ListWatchesAsync("discord", "busy", Ct))[0];
        Assert.Equal(WatchAddResult.Exists, await Store.AddWatchAsync(kept, 10, Ct));
    }

    [StoreFact]
    public async Task Watches_HostileChineseAndHugeText_StoredVerbatimOrRejected()
    {
        await Store.MigrateAsync(Ct);
        var keys = HostileKeys.Append("欧盟 人工智能法").Append("a\0b").Append(new string('x', StateKey.MaxLength)).ToList();
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            Assert.Equal(WatchAddResult.Added, await Store.AddWatchAsync(NewWatch(HostileKeys[i % HostileKeys.Length], WatchKind.Topic, key, label: key.Length > 400 ? "huge" : key + " label"), 100, Ct));
        }

        var all = await Open().ReadAllWatchesAsync(Ct);
        Assert.Equal(keys.Count, all.Count);
        Assert.Contains(all, w => w.Key == "欧盟 人工智能法" && w.Label == "欧盟 人工智能法 label");
        Assert.Contains(all, w => w.Key == "'; DROP TABLE secrets; --");
        Assert.Contains(all, w => w.Key == "a\uFFFDb"); // NUL cannot be stored by PostgreSQL: both stores replace it
        Assert.True(await Store.RemoveWatchAsync("discord", HostileKeys[0], WatchKind.Topic, HostileKeys[0], Ct));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.AddWatchAsync(NewWatch("c", WatchKind.Topic, ""), 25, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.AddWatchAsync(NewWatch("", WatchKind.Topic, "k"), 25, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.AddWatchAsync(NewWatch("c", WatchKind.Topic, new string('k', StateKey.MaxLength + 1)), 25, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.AddWatchAsync(NewWatch("c", WatchKind.Topic, "k", reference: new string('r', 8193)), 25, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.AddWatchAsync(NewWatch("c", WatchKind.Topic, "k"), 0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ListWatchesAsync("discord", "", Ct));
        Assert.Empty(await Store.ListWatchesAsync("discord", "c", Ct)); // nothing was stored by the rejected calls
    }

    [StoreFact]
    public async Task Watches_SurviveAReopenLikeARestart()
    {
        await Store.MigrateAsync(Ct);
        await Store.AddWatchAsync(NewWatch("c1", WatchKind.Jurisdiction, "CN", "China"), 25, Ct);
        await Store.DisposeAsync();

        var reopened = Open();
        await reopened.MigrateAsync(Ct);
        var watch = Assert.Single(await reopened.ReadAllWatchesAsync(Ct));
        Assert.Equal(("CN", "China", WatchKind.Jurisdiction), (watch.Key, watch.Label, watch.Kind));
    }
}
