using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.Commands;

/// <summary>
/// What the bot says about itself on every platform (help, about, sources, privacy, apology): one wording here,
/// each adapter only adds its markup and its own way of asking (<c>/ask</c>, a mention, a DM).
/// </summary>
public static class BotTexts
{
    public const string Name = "PolicyBot";

    /// <summary>Completes "PolicyBot …".</summary>
    public const string Purpose = "answers questions about AI policy (laws, regulations, standards and guidance) with verbatim extracts from a curated corpus of policy documents, each with its citation.";

    public const string ExampleQuestion = "What does the EU AI Act say about high-risk systems?";

    public const string Apology = "Sorry, something went wrong while answering. Please try again in a moment.";

    public const string EmptyCorpus = "No documents are indexed yet.";

    /// <summary>The logging, retention and not-advice notice (<see cref="PrivacyNotice"/>).</summary>
    public static string Privacy(TimeSpan retention) => PrivacyNotice.Text(retention);

    /// <summary>"…and 3 more." for a list cut short.</summary>
    public static string AndMore(int more) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"…and {more} more.");
}

/// <summary>The facts an <c>about</c> command shows, read once from the catalog.</summary>
public sealed record AboutFacts(int Documents, string CorpusVersion, DateTimeOffset? LastIndexed, string Privacy)
{
    public static AboutFacts From(ICorpusCatalog catalog, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var indexed = catalog.LastIndexed;
        return new AboutFacts(catalog.Documents.Count, catalog.CorpusVersion, indexed == default ? null : indexed, BotTexts.Privacy(retention));
    }
}

/// <summary>The documents a <c>sources</c> command lists: by title, case-insensitively.</summary>
public static class SourceListing
{
    public static IReadOnlyList<CorpusDocumentInfo> Ordered(ICorpusCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Documents.OrderBy(d => d.Title, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
