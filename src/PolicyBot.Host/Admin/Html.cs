using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace PolicyBot.Host.Admin;

/// <summary>Markup the dashboard built itself (never user text); appended as is.</summary>
internal readonly record struct Markup(string Value)
{
    public static Markup Empty { get; } = new("");

    public override string ToString() => Value;
}

/// <summary>
/// Builds a page. <see cref="Write"/> takes an interpolated string whose literal parts are the template and whose
/// holes are encoded with <see cref="HtmlEncoder"/> (only <see cref="Markup"/> holes pass through), so user text
/// cannot reach the page unescaped by construction.
/// </summary>
internal sealed class HtmlWriter
{
    public StringBuilder Builder { get; } = new(16 * 1024);

    public HtmlWriter Write([InterpolatedStringHandlerArgument("")] ref HtmlHandler html)
    {
        _ = html;
        return this;
    }

    public HtmlWriter Text(string? text)
    {
        HtmlText.Append(Builder, text);
        return this;
    }

    public Markup ToMarkup() => new(Builder.ToString());

    public override string ToString() => Builder.ToString();
}

[InterpolatedStringHandler]
internal readonly ref struct HtmlHandler
{
    private readonly StringBuilder _builder;

    public HtmlHandler(int literalLength, int formattedCount, HtmlWriter writer)
    {
        _ = formattedCount;
        ArgumentNullException.ThrowIfNull(writer);
        _builder = writer.Builder;
        _builder.EnsureCapacity(_builder.Length + literalLength);
    }

    public void AppendLiteral(string value) => _builder.Append(value);

    public void AppendFormatted(Markup value) => _builder.Append(value.Value);

    public void AppendFormatted(string? value) => HtmlText.Append(_builder, value);

    public void AppendFormatted<T>(T value)
        where T : IFormattable => HtmlText.Append(_builder, value.ToString(null, CultureInfo.InvariantCulture));

    public void AppendFormatted<T>(T value, string format)
        where T : IFormattable => HtmlText.Append(_builder, value.ToString(format, CultureInfo.InvariantCulture));
}

/// <summary>Encoding of untrusted text for HTML text and quoted attribute values.</summary>
internal static class HtmlText
{
    /// <summary>Encodes &lt; &gt; &amp; ' " and everything unsafe; leaves other scripts (CJK, Arabic, emoji) readable.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>
    /// Appends <paramref name="text"/> encoded. Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F,
    /// U+061C) are shown as a visible <c>[U+202E]</c> instead: an entity would still reorder the text around it.
    /// Other control characters become U+FFFD.
    /// </summary>
    public static void Append(StringBuilder builder, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var bidi = c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';
            var control = char.IsControl(c) && c is not ('\n' or '\r' or '\t');
            if (!bidi && !control)
            {
                continue;
            }

            builder.Append(Encoder.Encode(text[start..i]));
            builder.Append(bidi ? string.Create(CultureInfo.InvariantCulture, $"[U+{(int)c:X4}]") : "\uFFFD");
            start = i + 1;
        }

        builder.Append(start == 0 ? Encoder.Encode(text) : Encoder.Encode(text[start..]));
    }

    public static string Encode(string? text)
    {
        var sb = new StringBuilder();
        Append(sb, text);
        return sb.ToString();
    }

    /// <summary>At most <paramref name="max"/> characters (not cutting a surrogate pair), with "…" when cut.</summary>
    public static string Clip(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut] + "…";
    }

    /// <summary>A dashboard URL with query values encoded (an href hole then HTML-encodes the ampersands).</summary>
    public static string Url(string path, params (string Name, string? Value)[] query)
    {
        var sb = new StringBuilder(path);
        var first = true;
        foreach (var (name, value) in query)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            sb.Append(first ? '?' : '&').Append(UrlEncoder.Default.Encode(name)).Append('=').Append(UrlEncoder.Default.Encode(value));
            first = false;
        }

        return sb.ToString();
    }
}
