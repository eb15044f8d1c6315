using PolicyBot.Core.Text;

namespace PolicyBot.Core.Conversation;

/// <summary>
/// "Title › Section" for a citation, the same on every platform: the innermost heading only, and when it must be
/// shortened the title gives way first, so two citations of one document never show the same heading.
/// </summary>
public static class CitationHeading
{
    public const string Separator = " › ";

    /// <summary>The innermost heading of a heading path ("A › B › C" → "C").</summary>
    public static string LastSection(string section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var parts = section.Split('›', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? "" : parts[^1];
    }

    /// <summary>At most <paramref name="max"/> characters, each part cut at a word with an ellipsis when it must be.</summary>
    public static string Compose(Citation citation, int max)
    {
        ArgumentNullException.ThrowIfNull(citation);
        var title = QuestionText.Clean(string.IsNullOrWhiteSpace(citation.Title) ? citation.DocumentPath : citation.Title);
        var section = QuestionText.Clean(LastSection(citation.Section));
        if (section.Length == 0 || string.Equals(section, title, StringComparison.OrdinalIgnoreCase))
        {
            return TextCut.Truncate(title, max);
        }

        var whole = title + Separator + section;
        if (whole.Length <= max)
        {
            return whole;
        }

        // The section identifies the passage: keep up to half the room for it, give the title the rest.
        var sectionRoom = Math.Min(section.Length, Math.Max(12, (max - Separator.Length) / 2));
        var shortSection = TextCut.Truncate(section, sectionRoom);
        var titleRoom = max - Separator.Length - shortSection.Length;
        return TextCut.Truncate(title, titleRoom) + Separator + shortSection;
    }
}
