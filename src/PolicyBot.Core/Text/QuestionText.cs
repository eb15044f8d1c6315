using System.Globalization;
using System.Text;

namespace PolicyBot.Core.Text;

/// <summary>Normalises question text: control and invisible format characters out, white space folded.</summary>
public static class QuestionText
{
    public static string Clean(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            var blank = char.IsWhiteSpace(c) || cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            if (blank)
            {
                // Zero-width characters join, they do not separate.
                if (cat == UnicodeCategory.Format)
                {
                    continue;
                }

                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
