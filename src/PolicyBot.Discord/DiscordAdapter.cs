using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Discord.Commands;
using PolicyBot.Discord.Gateway;
using PolicyBot.Discord.Protocol;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord;

/// <summary>
/// The Discord router: parses, filters and dedupes gateway dispatches on the receive loop, then hands each turn to
/// its handler (<see cref="MessageQuestionHandler"/> for messages, an <see cref="IDiscordCommand"/> per slash
/// command, an <see cref="IDiscordButton"/> per button prefix) on a tracked task; one error boundary per turn.
/// </summary>
internal sealed class DiscordAdapter : IAsyncDisposable
{
    public const string Platform = DiscordTurnServices.Platform;
    private const int MaxPendingTurns = 2000;

    private readonly DiscordTurnServices _services;
    private readonly DiscordHandlers _handlers;
    private readonly MessageQuestionHandler _messages;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BoundedRecentMap<bool> _seen = new(20_000);
    private readonly ConcurrentDictionary<long, Task> _inflight = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _nextTurnId;

    public DiscordAdapter(
        DiscordRestClient rest,
        IQuestionAnswerer answerer,
        ICorpusCatalog catalog,
        IFeedbackSink feedback,
        IServerSettingsStore settings,
        IWatchStore watches,
        IExpiringCache memory,
        DiscordOptions options,
        TimeProvider time,
        ILogger logger,
        DiscordMetrics metrics)
    {
        _services = new DiscordTurnServices(rest, answerer, catalog, feedback, settings, watches, memory, options, time, logger, metrics);
        _handlers = DiscordHandlers.Discover(_services);
        _messages = new MessageQuestionHandler(_services);
        _logger = logger;
        _time = time;
    }

    /// <summary>The slash commands this adapter handles (one <see cref="IDiscordCommand"/> each).</summary>
    public IEnumerable<string> CommandNames => _handlers.Commands.Keys;

    /// <summary>Turns still running (answers being computed or sent).</summary>
    public int PendingTurns => _inflight.Count;

    /// <summary>Gateway dispatch handler: parses, filters, dedupes and hands the turn off. Never awaits I/O.</summary>
    public ValueTask HandleDispatchAsync(GatewayDispatch dispatch, CancellationToken cancellationToken)
    {
        switch (dispatch.Type)
        {
            case "READY":
                _services.OnReady(dispatch.Data.Deserialize<ReadyEvent>(DiscordJson.Options));
                break;
            case "MESSAGE_CREATE":
                var message = dispatch.Data.Deserialize<DiscordMessage>(DiscordJson.Options);
                if (message is not null && _messages.IsCandidate(message) is not Addressed.No and var addressed && _seen.TryAdd("m" + message.Id, true))
                {
                    Track(() => _messages.HandleAsync(message, addressed, _stopping.Token));
                }

                break;
            case "INTERACTION_CREATE":
                var interaction = dispatch.Data.Deserialize<Interaction>(DiscordJson.Options);
                if (interaction is not null && _seen.TryAdd("i" + interaction.Id, true))
                {
                    Track(() => HandleInteractionAsync(interaction, _stopping.Token));
                }

                break;
            case "THREAD_DELETE":
                if (dispatch.Data.TryGetProperty("id", out var threadId) && threadId.GetString() is { } id)
                {
                    Track(() => _services.Memory.ForgetThreadAsync(id, _stopping.Token));
                }

                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for running turns to finish (up to <paramref name="timeout"/>), then cancels the rest.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var all = Task.WhenAll(_inflight.Values);
        await Task.WhenAny(all, Task.Delay(timeout, _time)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Turns cancelled at shutdown.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
        _services.Dispose();
    }

    private void Track(Func<Task> turn)
    {
        if (_inflight.Count >= MaxPendingTurns)
        {
            DiscordTurnLog.Overloaded(_logger, _inflight.Count);
            return;
        }

        var id = Interlocked.Increment(ref _nextTurnId);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            await registered.Task.ConfigureAwait(false);
            try
            {
                await turn().ConfigureAwait(false);
            }
            finally
            {
                _inflight.TryRemove(id, out _);
            }
        });
        _inflight[id] = task;
        registered.SetResult();
    }

    private async Task HandleInteractionAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        try
        {
            switch ((InteractionType)interaction.Type)
            {
                case InteractionType.ApplicationCommand when CommandFor(interaction) is { } command:
                    await command.HandleAsync(interaction, interaction.Data?.Options ?? [], cancellationToken).ConfigureAwait(false);
                    break;
                case InteractionType.ApplicationCommand:
                    await _services.RespondEphemeralAsync(interaction, "Unknown command. Try `/ask`, `/compare`, `/brief`, `/watch`, `/sources` or `/about`.", cancellationToken).ConfigureAwait(false);
                    break;
                case InteractionType.ApplicationCommandAutocomplete:
                    if (CommandFor(interaction) is IDiscordAutocomplete autocomplete)
                    {
                        var focused = DiscordTurnServices.Flatten(interaction.Data?.Options ?? []).FirstOrDefault(o => o.Focused == true);
                        await autocomplete.AutocompleteAsync(interaction, focused, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case InteractionType.MessageComponent:
                    await HandleButtonAsync(interaction, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await _services.RespondEphemeralAsync(interaction, "PolicyBot does not handle this kind of interaction.", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (DiscordHttpException ex) when (ex.DiscordCode is 10062 or 40060 or 50027 or 10015)
        {
            // Expired or already-acknowledged interaction: retrying cannot help.
            DiscordTurnLog.InteractionExpired(_logger, interaction.Id, ex.DiscordCode ?? 0);
        }
        catch (Exception ex)
        {
            DiscordTurnLog.TurnFailed(_logger, "INTERACTION_CREATE", interaction.ChannelId ?? "", ex);
        }
    }

    private IDiscordCommand? CommandFor(Interaction interaction)
        => interaction.Data?.Name is { } name && _handlers.Commands.TryGetValue(name, out var command) ? command : null;

    private async Task HandleButtonAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        var customId = interaction.Data?.CustomId ?? "";
        foreach (var button in _handlers.Buttons)
        {
            if (customId.StartsWith(button.Prefix, StringComparison.Ordinal)
                && await button.HandleAsync(interaction, customId[button.Prefix.Length..], cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        DiscordTurnLog.UnknownCustomId(_logger, customId.Length);
        await _services.RespondEphemeralAsync(interaction, "This button is no longer valid. Ask the question again.", cancellationToken).ConfigureAwait(false);
    }
}
