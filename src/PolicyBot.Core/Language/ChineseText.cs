using System.Text;

namespace PolicyBot.Core.Language;

/// <summary>Script tests for Chinese text (Han ideographs, including the supplementary-plane extensions).</summary>
public static class ChineseText
{
    /// <summary>True for a CJK unified or compatibility ideograph (and the ideographic iteration mark 々/〇).</summary>
    public static bool IsHan(Rune r) =>
        r.Value is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0x20000 and <= 0x3134F) or 0x3005 or 0x3007;

    public static bool ContainsHan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var r in text.EnumerateRunes())
        {
            if (IsHan(r))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The characters of a Chinese glossary term that are not Han (a middle dot and digits are allowed).</summary>
    public static string NonHan(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var sb = new StringBuilder();
        foreach (var r in term.EnumerateRunes())
        {
            if (!IsHan(r) && r.Value != '·' && !Rune.IsDigit(r))
            {
                sb.Append(r.ToString());
            }
        }

        return sb.ToString();
    }
}
