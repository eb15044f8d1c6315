using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary>
/// A text command (<c>sources</c>, <c>about</c>…), typed alone or as <c>/name</c>, or sent from a card as
/// <c>{"action": "name"}</c>. Implementations in this assembly are found by <see cref="TeamsCommands"/> and built
/// from the container, so adding a command is adding one file (plus its entry in the app manifest's command list).
/// </summary>
internal interface ITeamsCommand
{
    string Name { get; }

    /// <summary>Replies to <paramref name="inbound"/>; runs on an answer worker, inside the turn's error boundary.</summary>
    Task HandleAsync(Activity inbound, CancellationToken cancellationToken);
}

/// <summary>The commands of this assembly, by name.</summary>
internal sealed class TeamsCommands
{
    public const string Help = "help";

    private readonly Dictionary<string, ITeamsCommand> _commands;

    public TeamsCommands(IServiceProvider services)
    {
        _commands = typeof(TeamsCommands).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITeamsCommand).IsAssignableFrom(t))
            .Select(t => (ITeamsCommand)ActivatorUtilities.CreateInstance(services, t))
            .ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public ITeamsCommand? Find(string name) => _commands.GetValueOrDefault(name);
}
