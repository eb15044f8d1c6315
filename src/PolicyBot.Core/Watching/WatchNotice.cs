using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Watching;

/// <summary>
/// One notice for one channel about one document version: "New source on EU AI Act: &lt;title&gt; (outlet, date) — ask me
/// about it." Plain parts; each platform escapes them for its own markup and never mentions anyone.
/// </summary>
/// <param name="Labels">The labels of the channel's watches that matched, in the order they were added.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Outlet">Publisher of the main source, when known.</param>
/// <param name="Date">The main source's date as shown ("12 July 2024", "Sept 2025"), when known.</param>
/// <param name="Url">The main source's link, when there is one.</param>
/// <param name="DocumentPath">The corpus path of the document.</param>
public sealed record WatchNotice(IReadOnlyList<string> Labels, string Title, string? Outlet, string? Date, Uri? Url, string DocumentPath)
{
    public const int MaxTitleChars = 200;
    public const int MaxOutletChars = 80;

    /// <summary>The notice for <paramref name="document"/> on behalf of <paramref name="watches"/> (one channel's matching watches).</summary>
    public static WatchNotice For(IReadOnlyList<Watch> watches, CorpusDocumentInfo document)
    {
        ArgumentNullException.ThrowIfNull(watches);
        ArgumentNullException.ThrowIfNull(document);
        var main = document.MainSource;
        var sourceUrl = SourceReference.HttpUrl(document.Source);
        var outlet = main?.Outlet is { Length: > 0 } o ? o
            : sourceUrl is null && document.Source.Length > 0 ? document.Source
            : sourceUrl?.Host;
        var date = main?.Date?.ToDisplay()
            ?? (SourceDate.TryParse(document.Published, out var published) ? published.ToDisplay() : null);
        return new WatchNotice(
            watches.Select(w => w.Label).Distinct(StringComparer.Ordinal).ToList(),
            TextCut.Truncate(QuestionText.Clean(document.Title), MaxTitleChars),
            outlet is null ? null : TextCut.Truncate(QuestionText.Clean(outlet), MaxOutletChars),
            date,
            main?.Url ?? sourceUrl,
            document.Path);
    }

    /// <summary>The notice as one line, every user- or corpus-supplied part passed through <paramref name="escape"/>.</summary>
    /// <param name="escape">The platform's escaping of plain text.</param>
    /// <param name="title">Renders the (escaped) title, e.g. as a link; null shows it as is.</param>
    public string Text(Func<string, string> escape, Func<string, Uri?, string>? title = null)
    {
        ArgumentNullException.ThrowIfNull(escape);
        var about = string.Join(", ", Labels.Select(escape));
        var shownTitle = title is null ? escape(Title) : title(escape(Title), Url);
        var details = string.Join(", ", new[] { Outlet, Date }.Where(p => !string.IsNullOrEmpty(p)).Select(p => escape(p!)));
        return details.Length > 0
            ? $"New source on {about}: {shownTitle} ({details}) — ask me about it."
            : $"New source on {about}: {shownTitle} — ask me about it.";
    }
}

/// <summary>Which documents a watch follows.</summary>
public static class WatchMatcher
{
    /// <summary>
    /// A jurisdiction watch matches the documents tagged with its code; a topic watch matches documents whose topic
    /// tags or title contain the topic as whole words ("AI Act" matches the tag <c>eu-ai-act</c> and the title
    /// "The EU AI Act …"; Chinese text matches anywhere in the title).
    /// </summary>
    public static bool Matches(Watch watch, CorpusDocumentInfo document)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(document);
        return watch.Kind switch
        {
            WatchKind.Jurisdiction => document.Jurisdictions.Any(j => string.Equals(j, watch.Key, StringComparison.OrdinalIgnoreCase)),
            _ => document.Topics.Any(t => WatchTopics.Contains(WatchTopics.Normalize(t), watch.Key))
                || WatchTopics.Contains(WatchTopics.Normalize(document.Title), watch.Key)
                || (document.MainSource?.Headline is { Length: > 0 } headline && WatchTopics.Contains(WatchTopics.Normalize(headline), watch.Key)),
        };
    }
}
