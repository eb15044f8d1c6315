using System.Reflection;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// A slash command. Implementations in this assembly with a constructor taking <see cref="DiscordTurnServices"/> are
/// found by <see cref="DiscordHandlers"/>: adding a command is adding one file (plus its entry in
/// <c>bot-manifests/discord/commands.json</c> so Discord shows it).
/// </summary>
internal interface IDiscordCommand
{
    /// <summary>The command name as registered (<c>ask</c>, <c>sources</c>…).</summary>
    string Name { get; }

    Task HandleAsync(Interaction interaction, IReadOnlyList<ApplicationCommandInteractionDataOption> options, CancellationToken cancellationToken);
}

/// <summary>A command whose options offer autocomplete.</summary>
internal interface IDiscordAutocomplete
{
    Task AutocompleteAsync(Interaction interaction, ApplicationCommandInteractionDataOption? focused, CancellationToken cancellationToken);
}

/// <summary>A message-component (button) handler for the custom ids that start with <see cref="Prefix"/>.</summary>
internal interface IDiscordButton
{
    string Prefix { get; }

    /// <summary>Handles the click; false when the rest of the custom id is not one of ours (the router says the button is stale).</summary>
    Task<bool> HandleAsync(Interaction interaction, string rest, CancellationToken cancellationToken);
}

/// <summary>The handlers of this assembly, built once per adapter.</summary>
internal sealed class DiscordHandlers
{
    private DiscordHandlers(IReadOnlyDictionary<string, IDiscordCommand> commands, IReadOnlyList<IDiscordButton> buttons)
    {
        Commands = commands;
        Buttons = buttons;
    }

    public IReadOnlyDictionary<string, IDiscordCommand> Commands { get; }

    public IReadOnlyList<IDiscordButton> Buttons { get; }

    public static DiscordHandlers Discover(DiscordTurnServices services)
    {
        var handlers = typeof(DiscordHandlers).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && (typeof(IDiscordCommand).IsAssignableFrom(t) || typeof(IDiscordButton).IsAssignableFrom(t)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => t.GetConstructor([typeof(DiscordTurnServices)])?.Invoke([services])
                ?? throw new InvalidOperationException($"{t.Name} needs a constructor taking {nameof(DiscordTurnServices)}."))
            .ToList();
        var commands = handlers.OfType<IDiscordCommand>().ToDictionary(c => c.Name, StringComparer.Ordinal);
        var buttons = handlers.OfType<IDiscordButton>().OrderByDescending(b => b.Prefix.Length).ToList();
        return new DiscordHandlers(commands, buttons);
    }
}
