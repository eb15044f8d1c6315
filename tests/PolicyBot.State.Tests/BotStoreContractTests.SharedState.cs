using PolicyBot.Core.State;

namespace PolicyBot.State.Tests;

/// <summary>The contract for generated secrets, expiring caches and delivery claims (schema version 2).</summary>
public abstract partial class BotStoreContractTests
{
    private static readonly string[] HostileKeys =
    [
        "'; DROP TABLE secrets; --",
        "Robert'); DELETE FROM cache_entries;--",
        "$1 $key @scope :name ? ?1",
        "100% _under_ \\back\\slash E'\\x41'",
        "$$ dollar $$ $tag$ body $tag$",
        "Übergröße 日本語 العربية 🤖",
        "<@123456> @everyone",
        "NULL",
    ];

    [StoreFact]
    public async Task GetOrCreateSecretAsync_FirstCall_StoresRandomHexThatEveryStoreThenReturns()
    {
        await Store.MigrateAsync(Ct);

        var first = await Store.GetOrCreateSecretAsync("user-salt", Ct);
        var again = await Store.GetOrCreateSecretAsync("user-salt", Ct);
        var other = Open();
        var fromOther = await other.GetOrCreateSecretAsync("user-salt", Ct);
        var differentName = await other.GetOrCreateSecretAsync("another", Ct);

        Assert.True(first.Created);
        Assert.Equal(StoredSecret.GeneratedByteLength * 2, first.Value.Length);
        Assert.Matches("^[0-9a-f]+$", first.Value);
        Assert.False(again.Created);
        Assert.Equal(first.Value, again.Value);
        Assert.False(fromOther.Created);
        Assert.Equal(first.Value, fromOther.Value);
        Assert.True(differentName.Created);
        Assert.NotEqual(first.Value, differentName.Value);
        Assert.DoesNotContain(first.Value, first.ToString(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task GetOrCreateSecretAsync_FortyConcurrentCallersOnTwoStores_OneValueOneCreator()
    {
        await Store.MigrateAsync(Ct);
        IBotStore[] stores = [Store, Open()];

        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 40)
            .Select(i => Task.Run(
                async () =>
                {
                    start.Wait(Ct);
                    return await stores[i % 2].GetOrCreateSecretAsync("race", Ct);
                },
                Ct))
            .ToArray();
        start.Set();
        var secrets = await Task.WhenAll(tasks);

        Assert.Single(secrets.Select(s => s.Value).Distinct());
        Assert.Single(secrets, s => s.Created);
    }

    [StoreFact]
    public async Task GetOrCreateSecretAsync_ReopenedLikeANewProcess_ReturnsTheStoredValue()
    {
        await Store.MigrateAsync(Ct);
        var created = await Store.GetOrCreateSecretAsync("user-salt", Ct);
        await Store.DisposeAsync();

        var reopened = Open();
        await reopened.MigrateAsync(Ct);
        var read = await reopened.GetOrCreateSecretAsync("user-salt", Ct);

        Assert.False(read.Created);
        Assert.Equal(created.Value, read.Value);
    }

    [StoreFact]
    public async Task GetOrCreateSecretAsync_HostileAndBadNames_StoredApartOrRejected()
    {
        await Store.MigrateAsync(Ct);

        var values = new List<string>();
        foreach (var name in HostileKeys)
        {
            var secret = await Store.GetOrCreateSecretAsync(name, Ct);
            Assert.True(secret.Created);
            Assert.Equal(name, secret.Name);
            values.Add(secret.Value);
        }

        Assert.Equal(HostileKeys.Length, values.Distinct().Count());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetOrCreateSecretAsync("", Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetOrCreateSecretAsync(new string('n', StateKey.MaxLength + 1), Ct));
        Assert.Equal(values[0], (await Store.GetOrCreateSecretAsync(HostileKeys[0], Ct)).Value);
    }

    [StoreFact]
    public async Task Cache_SetThenGet_RoundTripsHostileTextPerScopeAndAcrossStores()
    {
        await Store.MigrateAsync(Ct);
        var sources = new CacheScope("discord.sources", 100, TimeSpan.FromHours(1));
        var threads = new CacheScope("discord.threads", 100, TimeSpan.FromHours(1));
        var other = Open();

        foreach (var key in HostileKeys)
        {
            await Store.SetAsync(sources, key, "{\"q\":\"" + key + "\"}", T0, Ct);
        }

        const string Unit = "Ünïcødé 日本 🤖 \u200f' OR 1=1 --\n";
        var huge = string.Concat(Enumerable.Repeat(Unit, CacheScope.MaxValueLength / Unit.Length));
        await other.SetAsync(threads, HostileKeys[0], huge, T0, Ct);

        foreach (var key in HostileKeys)
        {
            Assert.Equal("{\"q\":\"" + key + "\"}", await other.GetAsync(sources, key, T0.AddMinutes(1), Ct));
        }

        Assert.Equal(huge, await Store.GetAsync(threads, HostileKeys[0], T0, Ct));
        Assert.Null(await Store.GetAsync(threads, HostileKeys[1], T0, Ct));
        Assert.Null(await Store.GetAsync(new CacheScope("unknown", 1, TimeSpan.FromHours(1)), HostileKeys[0], T0, Ct));
    }

    [StoreFact]
    public async Task Cache_Expiry_HidesTheEntryFromItsDeadlineAndASetRenewsIt()
    {
        await Store.MigrateAsync(Ct);
        var scope = new CacheScope("ttl", 10, TimeSpan.FromMinutes(10));

        await Store.SetAsync(scope, "k", "v1", T0, Ct);
        Assert.Equal("v1", await Store.GetAsync(scope, "k", T0.AddMinutes(10).AddTicks(-10), Ct));
        Assert.Null(await Store.GetAsync(scope, "k", T0.AddMinutes(10), Ct));

        await Store.SetAsync(scope, "k", "v2", T0.AddMinutes(5), Ct);
        Assert.Equal("v2", await Store.GetAsync(scope, "k", T0.AddMinutes(14), Ct));
        Assert.Null(await Store.GetAsync(scope, "k", T0.AddMinutes(15), Ct));

        var forever = new CacheScope("forever", 1, TimeSpan.MaxValue);
        await Store.SetAsync(forever, "k", "kept", T0, Ct);
        Assert.Equal("kept", await Store.GetAsync(forever, "k", DateTimeOffset.MaxValue.AddDays(-1), Ct));
    }

    [StoreFact]
    public async Task Cache_MoreThanCapacity_EvictsTheLeastRecentlySetAndAReSetCountsAsNewest()
    {
        await Store.MigrateAsync(Ct);
        var scope = new CacheScope("bounded", 5, TimeSpan.FromHours(1));
        var neighbour = new CacheScope("neighbour", 5, TimeSpan.FromHours(1));
        await Store.SetAsync(neighbour, "n", "untouched", T0, Ct);

        for (var i = 0; i < 5; i++)
        {
            await Store.SetAsync(scope, $"k{i}", $"v{i}", T0.AddSeconds(i), Ct);
        }

        // k0 is set again (newest now), k1 removed and set again: neither may be the next to go.
        await Store.SetAsync(scope, "k0", "v0'", T0.AddSeconds(10), Ct);
        Assert.True(await Store.RemoveAsync(scope, "k1", Ct));
        Assert.False(await Store.RemoveAsync(scope, "k1", Ct));
        await Store.SetAsync(scope, "k1", "v1'", T0.AddSeconds(11), Ct);
        await Store.SetAsync(scope, "k5", "v5", T0.AddSeconds(12), Ct);
        await Store.SetAsync(scope, "k6", "v6", T0.AddSeconds(13), Ct);

        var now = T0.AddSeconds(20);
        Assert.Null(await Store.GetAsync(scope, "k2", now, Ct));
        Assert.Null(await Store.GetAsync(scope, "k3", now, Ct));
        Assert.Equal("v4", await Store.GetAsync(scope, "k4", now, Ct));
        Assert.Equal("v0'", await Store.GetAsync(scope, "k0", now, Ct));
        Assert.Equal("v1'", await Store.GetAsync(scope, "k1", now, Ct));
        Assert.Equal("v5", await Store.GetAsync(scope, "k5", now, Ct));
        Assert.Equal("v6", await Store.GetAsync(scope, "k6", now, Ct));
        Assert.Equal("untouched", await Store.GetAsync(neighbour, "n", now, Ct));
    }

    [StoreFact]
    public async Task Cache_ConcurrentSetsFromTwoStores_SettleAtCapacity()
    {
        await Store.MigrateAsync(Ct);
        IBotStore[] stores = [Store, Open()];
        var scope = new CacheScope("concurrent", 20, TimeSpan.FromHours(1));

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(
            () => stores[i % 2].SetAsync(scope, $"k{i:D2}", $"v{i}", T0, Ct), Ct)));
        await Store.SetAsync(scope, "last", "v", T0, Ct);

        var live = 0;
        for (var i = 0; i < 60; i++)
        {
            if (await Store.GetAsync(scope, $"k{i:D2}", T0, Ct) is { } value)
            {
                Assert.Equal($"v{i}", value);
                live++;
            }
        }

        Assert.Equal("v", await Store.GetAsync(scope, "last", T0, Ct));
        Assert.Equal(scope.Capacity - 1, live);
    }

    [StoreFact]
    public async Task Cache_BadArguments_Throw()
    {
        await Store.MigrateAsync(Ct);
        var scope = new CacheScope("s", 1, TimeSpan.FromMinutes(1));

        Assert.ThrowsAny<ArgumentException>(() => new CacheScope("", 1, TimeSpan.FromMinutes(1)));
        Assert.ThrowsAny<ArgumentException>(() => new CacheScope("s", 0, TimeSpan.FromMinutes(1)));
        Assert.ThrowsAny<ArgumentException>(() => new CacheScope("s", 1, TimeSpan.Zero));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(scope, "", "v", T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(scope, new string('k', StateKey.MaxLength + 1), "v", T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(scope, "k", new string('v', CacheScope.MaxValueLength + 1), T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(scope, "k", null!, T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(null!, "k", "v", T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(scope, "", T0, Ct));
        Assert.Null(await Store.GetAsync(scope, "k", T0, Ct)); // nothing was stored by the rejected calls
    }

    [StoreFact]
    public async Task TryClaimAsync_SameId_FirstClaimerWinsUntilTheClaimExpires()
    {
        await Store.MigrateAsync(Ct);
        var other = Open();
        var lifetime = TimeSpan.FromMinutes(10);

        Assert.True(await Store.TryClaimAsync("teams", "activity-1", lifetime, T0, Ct));
        Assert.False(await Store.TryClaimAsync("teams", "activity-1", lifetime, T0, Ct));
        Assert.False(await other.TryClaimAsync("teams", "activity-1", lifetime, T0.AddMinutes(10).AddTicks(-10), Ct));
        Assert.True(await other.TryClaimAsync("teams", "activity-2", lifetime, T0, Ct));
        Assert.True(await other.TryClaimAsync("elsewhere", "activity-1", lifetime, T0, Ct));

        Assert.True(await other.TryClaimAsync("teams", "activity-1", lifetime, T0.AddMinutes(10), Ct));
        Assert.False(await Store.TryClaimAsync("teams", "activity-1", lifetime, T0.AddMinutes(11), Ct));
    }

    [StoreFact]
    public async Task TryClaimAsync_FiftyConcurrentClaimersOnTwoStores_ExactlyOneWins()
    {
        await Store.MigrateAsync(Ct);
        IBotStore[] stores = [Store, Open()];

        for (var round = 0; round < 3; round++)
        {
            var id = HostileKeys[round];
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 50)
                .Select(i => Task.Run(
                    async () =>
                    {
                        start.Wait(Ct);
                        return await stores[i % 2].TryClaimAsync("teams", id, TimeSpan.FromMinutes(5), T0, Ct);
                    },
                    Ct))
                .ToArray();
            start.Set();
            var won = await Task.WhenAll(tasks);

            Assert.Single(won, w => w);
        }
    }

    [StoreFact]
    public async Task TryClaimAsync_BadArguments_Throw()
    {
        await Store.MigrateAsync(Ct);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryClaimAsync("", "id", TimeSpan.FromMinutes(1), T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryClaimAsync("teams", "", TimeSpan.FromMinutes(1), T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryClaimAsync("teams", new string('i', StateKey.MaxLength + 1), TimeSpan.FromMinutes(1), T0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryClaimAsync("teams", "id", TimeSpan.Zero, T0, Ct));
        Assert.True(await Store.TryClaimAsync("teams", "id", TimeSpan.FromMinutes(1), T0, Ct)); // nothing was claimed by the rejected calls
    }

    [StoreFact]
    public async Task PruneAsync_RemovesExpiredCacheEntriesAndClaimsOnly()
    {
        await Store.MigrateAsync(Ct);
        var shortLived = new CacheScope("short", 10, TimeSpan.FromMinutes(1));
        var longLived = new CacheScope("long", 10, TimeSpan.FromDays(365));
        await Store.SetAsync(shortLived, "k", "v", T0, Ct);
        await Store.SetAsync(longLived, "k", "v", T0, Ct);
        Assert.True(await Store.TryClaimAsync("teams", "old", TimeSpan.FromMinutes(1), T0, Ct));
        Assert.True(await Store.TryClaimAsync("teams", "young", TimeSpan.FromDays(365), T0, Ct));

        await Store.PruneAsync(T0.AddDays(1), Ct);

        Assert.Equal("v", await Store.GetAsync(longLived, "k", T0.AddDays(2), Ct));
        Assert.False(await Store.TryClaimAsync("teams", "young", TimeSpan.FromMinutes(1), T0.AddDays(2), Ct));
        Assert.False(await Store.RemoveAsync(shortLived, "k", Ct));
        Assert.True(await Store.RemoveAsync(longLived, "k", Ct));
    }
}
