using System.Globalization;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Conversation;

/// <summary>How much authority the cited source carries, from an official text down to the project's own note.</summary>
public enum SourceTier
{
    /// <summary>An official text: law, regulation, framework or guidance from the body that issued it.</summary>
    Primary,

    /// <summary>Analysis or research by a firm, think tank or index publisher.</summary>
    Analysis,

    /// <summary>A news report.</summary>
    News,

    /// <summary>An opinion or commentary piece.</summary>
    Opinion,

    /// <summary>A note written by PolicyBot editors.</summary>
    Note,
}

/// <summary>The tier names as written in front matter and shown to users.</summary>
public static class SourceTiers
{
    public static IReadOnlyList<string> Names { get; } = ["primary", "analysis", "news", "opinion", "note"];

    public static string Name(SourceTier tier) => Names[(int)tier];

    public static bool TryParse(string? value, out SourceTier tier)
    {
        var i = value is null ? -1 : Names.ToList().FindIndex(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase));
        tier = i < 0 ? default : (SourceTier)i;
        return i >= 0;
    }
}

/// <summary>How much of a date is known.</summary>
public enum DatePrecision
{
    Year,
    Month,
    Day,
}

/// <summary>
/// A date known to the year, the month or the day. Front matter writes the precision by the form of the value:
/// <c>2025</c>, <c>2025-09</c> or <c>2025-09-01</c>; unknown parts are 1 and never shown.
/// </summary>
public readonly record struct SourceDate(int Year, int Month, int Day, DatePrecision Precision) : IComparable<SourceDate>
{
    // British house-style abbreviations ("Sept 2025"), as the example shows.
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"];

    /// <summary>Parses yyyy, yyyy-MM or yyyy-MM-dd (a time part after the date is ignored); false for anything else.</summary>
    public static bool TryParse(string? value, out SourceDate date)
    {
        date = default;
        var s = value?.Trim() ?? "";
        if (s.Length > 10 && s[10] is 'T' or ' ')
        {
            s = s[..10];
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy-MM", "yyyy-M", "yyyy"];
        if (!DateTime.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) || d.Year is < 1900 or > 2199)
        {
            return false;
        }

        var dashes = s.Count(c => c == '-');
        date = new SourceDate(d.Year, d.Month, d.Day, dashes switch { 0 => DatePrecision.Year, 1 => DatePrecision.Month, _ => DatePrecision.Day });
        return true;
    }

    /// <summary>"2025", "2025-09" or "2025-09-01": the value as front matter writes it.</summary>
    public string ToIso() => Precision switch
    {
        DatePrecision.Year => Year.ToString("0000", CultureInfo.InvariantCulture),
        DatePrecision.Month => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}-{Day:00}"),
    };

    /// <summary>"2025", "Sept 2025" or "1 Sept 2025".</summary>
    public string ToDisplay() => Precision switch
    {
        DatePrecision.Year => Year.ToString(CultureInfo.InvariantCulture),
        DatePrecision.Month => $"{MonthNames[Month - 1]} {Year.ToString(CultureInfo.InvariantCulture)}",
        _ => $"{Day.ToString(CultureInfo.InvariantCulture)} {MonthNames[Month - 1]} {Year.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>Orders by the earliest day each date could mean.</summary>
    public int CompareTo(SourceDate other) => (Year, Month, Day).CompareTo((other.Year, other.Month, other.Day));

    public override string ToString() => ToIso();
}

/// <summary>
/// The structured citation of a document's main source, from its front matter: who published it, who wrote it,
/// its headline, its date (published, or as-of when the source is undated) with precision, its link and tier.
/// Free-text editorial remarks (<c>sources[].note</c>) are deliberately not part of it: they stay in the note.
/// </summary>
public sealed record SourceReference
{
    /// <summary>Publisher or issuing body ("South China Morning Post", "National Institute of Standards and Technology").</summary>
    public string Outlet { get; init; } = "";

    /// <summary>People who wrote it, as written ("Alfons Futterer", or "Family, Given" when the family name is not last).</summary>
    public IReadOnlyList<string> Authors { get; init; } = [];

    /// <summary>The source's own title.</summary>
    public string Headline { get; init; } = "";

    public SourceDate? Published { get; init; }

    /// <summary>When the source was last seen or reviewed, for undated pages.</summary>
    public SourceDate? AsOf { get; init; }

    /// <summary>An absolute http(s) link to the source, when there is one.</summary>
    public Uri? Url { get; init; }

    public SourceTier? Tier { get; init; }

    /// <summary>The date to show: published, else as-of.</summary>
    public SourceDate? Date => Published ?? AsOf;

    /// <summary>An absolute http(s) URL, or null for anything else (empty, relative, javascript:, mailto:…).</summary>
    public static Uri? HttpUrl(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) ? u : null;
}

/// <summary>
/// Composes the one line users see under a citation: "South China Morning Post · Futterer &amp; Sheng · opinion · Sept 2025".
/// Plain text; each platform escapes it for its own markup.
/// </summary>
public static class SourceLine
{
    public const string Separator = " · ";

    /// <summary>Outlet · authors · tier · date, leaving out what is unknown; "" when nothing is known.</summary>
    public static string Compose(SourceReference? source)
    {
        if (source is null)
        {
            return "";
        }

        var parts = new List<string>(4);
        if (Clean(source.Outlet) is { Length: > 0 } outlet)
        {
            parts.Add(outlet);
        }

        if (Bylines(source.Authors) is { Length: > 0 } authors)
        {
            parts.Add(authors);
        }

        if (source.Tier is { } tier)
        {
            parts.Add(SourceTiers.Name(tier));
        }

        if (source.Published is { } published)
        {
            parts.Add(published.ToDisplay());
        }
        else if (source.AsOf is { } asOf)
        {
            parts.Add("as of " + asOf.ToDisplay());
        }

        return string.Join(Separator, parts);
    }

    /// <summary>"Futterer", "Futterer &amp; Sheng", "Futterer et al." from full names.</summary>
    public static string Bylines(IReadOnlyList<string> authors)
    {
        var names = authors.Select(FamilyName).Where(n => n.Length > 0).ToList();
        return names.Count switch
        {
            0 => "",
            1 => names[0],
            2 => $"{names[0]} & {names[1]}",
            _ => $"{names[0]} et al.",
        };
    }

    /// <summary>"Alfons Futterer" → "Futterer"; "Sheng, Zhonghua" → "Sheng"; a one-word name stays whole.</summary>
    public static string FamilyName(string author)
    {
        var name = Clean(author);
        var comma = name.IndexOf(',', StringComparison.Ordinal);
        if (comma > 0)
        {
            return name[..comma].Trim();
        }

        var space = name.LastIndexOf(' ');
        return space < 0 ? name : name[(space + 1)..];
    }

    private static string Clean(string? s) => QuestionText.Clean(s ?? "");
}
