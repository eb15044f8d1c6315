using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns;

/// <summary>What the background worker should do for an activity.</summary>
internal enum TurnKind
{
    /// <summary>A question for the answerer (<see cref="TeamsTurn.Text"/>).</summary>
    Question,

    /// <summary>The bot was added to a conversation.</summary>
    Welcome,

    /// <summary>A text command (<see cref="TeamsTurn.Command"/>, one of <see cref="Commands.TeamsCommands"/>).</summary>
    Command,
}

internal sealed record TeamsTurn(Activity Activity, TurnKind Kind, string? Text = null, string? Command = null);

/// <summary>Bounded hand-off from the HTTP endpoint to the answer workers.</summary>
internal sealed class TeamsTurnQueue
{
    private readonly Channel<TeamsTurn> _channel;

    public TeamsTurnQueue(IOptions<TeamsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = Channel.CreateBounded<TeamsTurn>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public bool TryEnqueue(TeamsTurn turn) => _channel.Writer.TryWrite(turn);

    public ChannelReader<TeamsTurn> Reader => _channel.Reader;
}

/// <summary>Owns the answer workers: a fixed number of loops reading the queue, awaited on shutdown.</summary>
internal sealed class TeamsTurnProcessor(
    TeamsTurnQueue queue,
    TeamsTurnHandler handler,
    IOptions<TeamsOptions> options,
    ILogger<TeamsTurnProcessor> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AuthDisabled)
        {
            TeamsLog.AuthDisabled(logger, options.Value.SettingName(nameof(TeamsOptions.AppId)));
        }

        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Enumerable.Range(0, Math.Max(1, options.Value.Workers)).Select(_ => WorkAsync(stoppingToken));
        return Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var turn in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                // The handler is its own error boundary; it never throws except on shutdown.
                await handler.ProcessAsync(turn, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
