using System.Globalization;
using System.Text;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Watching;

/// <summary>What a watch follows.</summary>
public enum WatchKind
{
    /// <summary>A topic, matched against the documents' topic tags and titles ("EU AI Act", "generative AI").</summary>
    Topic,

    /// <summary>A jurisdiction code from the front matter ("EU", "CN").</summary>
    Jurisdiction,
}

/// <summary>One subscription: a channel (Discord) or conversation (Teams) wants a notice when a matching document arrives or changes.</summary>
public sealed record Watch
{
    /// <summary>"discord" or "teams".</summary>
    public required string Platform { get; init; }

    /// <summary>The guild (Discord) or team/tenant (Teams), when known.</summary>
    public string? ServerId { get; init; }

    /// <summary>Where notices go: a Discord channel id, or a Teams conversation id (a channel's root, without <c>;messageid=</c>).</summary>
    public required string ChannelId { get; init; }

    public required WatchKind Kind { get; init; }

    /// <summary>What is matched: the normalised topic (<see cref="WatchTopics.Normalize"/>) or the upper-case jurisdiction code.</summary>
    public required string Key { get; init; }

    /// <summary>What users see: the topic as typed (cleaned) or the jurisdiction's name ("the EU").</summary>
    public required string Label { get; init; }

    /// <summary>What the platform needs to post later without an inbound message (Teams: the conversation reference as JSON).</summary>
    public string? Reference { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The watch in a list ("topic EU AI Act", "jurisdiction the EU (EU)"), its stored parts passed through the platform's <paramref name="escape"/>.</summary>
    public string ListEntry(Func<string, string> escape)
    {
        ArgumentNullException.ThrowIfNull(escape);
        return Kind == WatchKind.Topic ? "topic " + escape(Label) : "jurisdiction " + escape($"{Label} ({Key})");
    }
}

/// <summary>A parsed <c>topic:&lt;t&gt;</c> or <c>jurisdiction:&lt;j&gt;</c>, ready to store or remove.</summary>
public sealed record WatchTarget(WatchKind Kind, string Key, string Label)
{
    /// <summary>Longest topic kept, in characters (the Discord option's max_length).</summary>
    public const int MaxTopicChars = 100;

    /// <summary>Longest match key kept.</summary>
    public const int MaxKeyChars = 200;

    /// <summary>Watches one channel may hold.</summary>
    public const int MaxPerChannel = 25;

    public string Describe() => Kind == WatchKind.Topic ? $"topic “{Label}”" : $"jurisdiction {Label} ({Key})";

    /// <summary>
    /// A topic watch from user text: cleaned (controls, zero-width and bidi characters out), cut at a word to
    /// <see cref="MaxTopicChars"/>; null when nothing is left or it has no letter or digit.
    /// </summary>
    public static WatchTarget? Topic(string? text)
    {
        var label = TextCut.Truncate(QuestionText.Clean(text ?? "").Trim(), MaxTopicChars).Trim();
        var key = WatchTopics.Normalize(label);
        key = key.Length > MaxKeyChars ? key[..MaxKeyChars].TrimEnd() : key; // NFKC can lengthen text (one ligature → 18 letters)
        return key.Length == 0 ? null : new WatchTarget(WatchKind.Topic, key, label);
    }

    /// <summary>A jurisdiction watch from a code or a name ("EU", "europe", "中国"); null when it names no jurisdiction we know.</summary>
    public static WatchTarget? Jurisdiction(string? text)
    {
        var value = QuestionText.Clean(text ?? "").Trim();
        if (value.Length == 0 || value.Length > MaxTopicChars)
        {
            return null;
        }

        var known = JurisdictionNames.ByCode(value) ?? JurisdictionNames.Find(value).FirstOrDefault();
        return known is null ? null : new WatchTarget(WatchKind.Jurisdiction, known.Code, known.Name);
    }

    /// <summary>
    /// Parses the Teams form: <c>topic: EU AI Act</c>, <c>topic EU AI Act</c>, <c>jurisdiction: EU</c> or, without a
    /// prefix, a jurisdiction when the whole text names one, else a topic.
    /// </summary>
    public static WatchTarget? Parse(string? text)
    {
        var value = QuestionText.Clean(text ?? "").Trim();
        foreach (var (prefix, kind) in new[] { ("topic", WatchKind.Topic), ("jurisdiction", WatchKind.Jurisdiction) })
        {
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (value.Length == prefix.Length || value[prefix.Length] is ':' or ' ' or '='))
            {
                var rest = value[prefix.Length..].TrimStart(':', '=', ' ');
                return kind == WatchKind.Topic ? Topic(rest) : Jurisdiction(rest);
            }
        }

        return JurisdictionNames.ByCode(value) is not null ? Jurisdiction(value) : Topic(value);
    }
}

/// <summary>How topics are compared: case, hyphens and punctuation do not matter ("eu-ai-act" = "EU AI Act").</summary>
public static class WatchTopics
{
    /// <summary>Lower-case, NFKC, every run of non-letters/digits one space, trimmed.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var sb = new StringBuilder(folded.Length);
        var space = false;
        foreach (var rune in folded.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                if (space && sb.Length > 0)
                {
                    sb.Append(' ');
                }

                space = false;
                sb.Append(rune.ToString());
            }
            else
            {
                space = true;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Whether <paramref name="key"/> (normalised) occurs in <paramref name="normalizedText"/>: as whole words, or
    /// — for Chinese, Japanese and other text written without spaces — anywhere.
    /// </summary>
    public static bool Contains(string normalizedText, string key)
    {
        if (key.Length == 0 || normalizedText.Length < key.Length)
        {
            return false;
        }

        if (key.Any(IsUnspaced))
        {
            return normalizedText.Contains(key, StringComparison.Ordinal);
        }

        return $" {normalizedText} ".Contains($" {key} ", StringComparison.Ordinal);
    }

    private static bool IsUnspaced(char c) =>
        c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF';
}
