using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.State;

namespace PolicyBot.State.Migrations;

/// <summary>
/// Applies migrations in <see cref="IHostedLifecycleService.StartingAsync"/>, which runs before any hosted
/// service's StartAsync: adapters never see an unmigrated store, whatever order they were registered in. Then,
/// when no salt was configured, loads the store's generated user-id salt (creating it on first start) into the
/// hasher, so nothing is hashed before it has its salt.
/// </summary>
internal sealed partial class BotStoreMigrationService(IBotStore store, UserIdHasher hasher, ILogger<BotStoreMigrationService> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (hasher.HasSalt)
        {
            return;
        }

        var salt = await store.GetOrCreateSecretAsync(UserIdHasher.StoredSaltName, cancellationToken).ConfigureAwait(false);
        hasher.UseSalt(salt.Value);
        if (salt.Created)
        {
            LogSaltGenerated(logger, UserIdHasher.StoredSaltName);
        }
        else
        {
            LogSaltLoaded(logger, UserIdHasher.StoredSaltName);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6500, Level = LogLevel.Warning, Message = "State store: no user-id salt was configured, so a random one was generated and stored as secret '{Name}' (kept in the store; every process on it shares it). Back the store up: losing it unlinks old hashed ids")]
    private static partial void LogSaltGenerated(ILogger logger, string name);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Debug, Message = "State store: using the stored user-id salt '{Name}'")]
    private static partial void LogSaltLoaded(ILogger logger, string name);
}
