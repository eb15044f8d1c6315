using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.State.Sqlite;

namespace PolicyBot.State.Tests;

public sealed class AuditRetentionServiceTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policybot-store-tests", Guid.NewGuid().ToString("N"));
    private SqliteBotStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = BotStoreFactory.CreateSqlite(Path.Combine(_folder, "index.db"), null, null);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ExecuteAsync_Running_PrunesAtStartAndAgainEachInterval()
    {
        var now = DateTimeOffset.UtcNow;
        await _store.RecordQuestionAsync(Record("old-at-start", now.AddDays(-31)), CancellationToken.None);
        await _store.RecordQuestionAsync(Record("recent", now.AddDays(-1)), CancellationToken.None);
        using var service = Service(TimeSpan.FromDays(30), TimeSpan.FromMilliseconds(100));

        await service.StartAsync(CancellationToken.None);
        await WaitForAsync(async () => (await IdsAsync()).SequenceEqual(["recent"]));
        await _store.RecordQuestionAsync(Record("old-later", now.AddDays(-40)), CancellationToken.None);
        await WaitForAsync(async () => (await IdsAsync()).SequenceEqual(["recent"]));
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(["recent"], await IdsAsync());
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ExecuteAsync_RetentionZero_KeepsEverything()
    {
        await _store.RecordQuestionAsync(Record("ancient", DateTimeOffset.UtcNow.AddYears(-5)), CancellationToken.None);
        using var service = Service(TimeSpan.Zero, TimeSpan.FromMilliseconds(50));

        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(["ancient"], await IdsAsync());
    }

    private AuditRetentionService Service(TimeSpan retention, TimeSpan interval) => new(
        _store,
        Options.Create(new AuditOptions { Retention = retention, PruneInterval = interval, RawUserIds = true }),
        TimeProvider.System,
        NullLogger<AuditRetentionService>.Instance);

    private async Task<List<string>> IdsAsync()
    {
        var ids = new List<string>();
        await foreach (var record in _store.ReadAuditAsync(null, CancellationToken.None))
        {
            ids.Add(record.AnswerId);
        }

        return ids;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }

    private static AuditRecord Record(string answerId, DateTimeOffset at) => new()
    {
        AnswerId = answerId,
        At = at,
        Platform = "teams",
        Question = "q",
        Outcome = AnswerOutcome.Abstained,
    };
}
