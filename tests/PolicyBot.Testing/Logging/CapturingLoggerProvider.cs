using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PolicyBot.Testing.Logging;

/// <summary>
/// Captures every log entry (level, category, message and exception text, scopes included) so tests can check what
/// operators see and that secrets never appear in any of it.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Entries { get; } = new();

    /// <summary>Each entry as one line, "{level} {category}: {text}", then the scopes and structured properties.</summary>
    public IEnumerable<string> Lines => Entries.Select(e => $"{e.Level} {e.Category}: {e.Text}").Concat(Structured);

    /// <summary>Scope states and the structured properties of every entry (what a structured sink would write besides the message).</summary>
    public ConcurrentQueue<string> Structured { get; } = new();

    /// <summary>Everything logged: every entry's text, then every scope and structured property, one per line.</summary>
    public string AllText => string.Join("\n", Entries.Select(e => e.Text).Concat(Structured));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            // A scope's state is logged text too (an Authorization header in a scope would leak as surely as in a message).
            owner.Structured.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                owner.Structured.Enqueue($"{category} properties: " + string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")));
            }

            owner.Entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
        }
    }
}
