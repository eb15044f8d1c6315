using Microsoft.Extensions.Hosting;
using PolicyBot.Core.State;

namespace PolicyBot.State.Migrations;

/// <summary>
/// Applies migrations in <see cref="IHostedLifecycleService.StartingAsync"/>, which runs before any hosted
/// service's StartAsync: adapters never see an unmigrated store, whatever order they were registered in.
/// </summary>
internal sealed class BotStoreMigrationService(IBotStore store) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
