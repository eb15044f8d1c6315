using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace PolicyBot.Testing.Logging;

/// <summary>
/// Every log entry (level, category, message and exception text, active scopes and structured properties), captured
/// by <see cref="FakeLoggerProvider"/> (Microsoft.Extensions.Diagnostics.Testing), so tests can check what operators
/// see and that secrets never appear in any of it. The views below are what the secret checks read.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly FakeLoggerProvider _inner;

    public CapturingLoggerProvider()
    {
        Collector = new FakeLogCollector();
        _inner = new FakeLoggerProvider(Collector);
    }

    /// <summary>The library's collector (records with level, category, message, exception, scopes and state).</summary>
    public FakeLogCollector Collector { get; }

    /// <summary>Each record: level, category and the message with the exception's text after it.</summary>
    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Entries
        => Collector.GetSnapshot().Select(r => (r.Level, r.Category ?? "", r.Message + (r.Exception is null ? "" : "\n" + r.Exception))).ToList();

    /// <summary>Each entry as one line, "{level} {category}: {text}", then the scopes and structured properties.</summary>
    public IEnumerable<string> Lines => Entries.Select(e => $"{e.Level} {e.Category}: {e.Text}").Concat(Structured);

    /// <summary>The active scopes and the structured properties of every record (what a structured sink would write besides the message).</summary>
    public IReadOnlyList<string> Structured => Collector.GetSnapshot().SelectMany(StructuredOf).ToList();

    /// <summary>Everything logged: every entry's text, then every scope and structured property, one per line.</summary>
    public string AllText => string.Join("\n", Entries.Select(e => e.Text).Concat(Structured));

    public ILogger CreateLogger(string categoryName) => _inner.CreateLogger(categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _inner.SetScopeProvider(scopeProvider);

    public void Dispose() => _inner.Dispose();

    private static IEnumerable<string> StructuredOf(FakeLogRecord record)
    {
        // A scope's state is logged text too (an Authorization header in a scope would leak as surely as in a message).
        foreach (var scope in record.Scopes)
        {
            yield return $"{record.Category} scope: {scope}";
        }

        if (record.StructuredState is { Count: > 0 } pairs)
        {
            yield return $"{record.Category} properties: " + string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));
        }
    }
}
