using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Formatting;

/// <summary>
/// Turns a Core <see cref="Answer"/> into compact Discord messages within every limit (discord.md §12): the answer
/// text with each <c>[n]</c> a masked link to its source when it has one (content ≤ 2000 per message, split at
/// paragraph/sentence boundaries), then one "Sources" embed listing each citation on one line (linked
/// title › section, then outlet · authors · tier · date), and the buttons Show passages, 👍 and 👎 (custom_id ≤ 100,
/// carrying the answer id). Show passages answers with one ephemeral message of the quoted passages in full.
/// Refusals carry no buttons and no embeds.
/// </summary>
internal static partial class AnswerFormatter
{
    public const int MaxContent = 2000;
    public const int MaxEmbeds = 10;
    public const int MaxEmbedTotal = 6000;
    public const int MaxTitle = 256;
    public const int MaxDescription = 4096;
    public const int MaxFooter = 2048;
    public const int MaxFields = 25;
    public const int MaxFieldName = 256;
    public const int MaxFieldValue = 1024;
    public const int MaxCustomId = 100;
    public const int MaxUrl = 2048;
    public const string FeedbackUpPrefix = "fb:up:";
    public const string FeedbackDownPrefix = "fb:down:";
    public const string SourcesPrefix = "src:";
    public const string ShowPassagesLabel = "Show passages";

    /// <summary>One Sources line: linked title › section, then the source line; long ones are cut at a word.</summary>
    public const int MaxSourceTitleChars = 110;
    public const int MaxSourceLineChars = 100;

    private const int EmbedBudget = 5800; // below 6000, leaving room for counting differences
    private const int EmbedColor = 0x3B82F6;

    [GeneratedRegex(@"\[(\d{1,3})\]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"([\\*_~|`])", RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownSpecial();

    /// <summary>The messages that carry <paramref name="answer"/>, in order; the last carries the Sources embed and the buttons.</summary>
    public static IReadOnlyList<MessageParams> Format(Answer answer, bool withButtons = true)
    {
        ArgumentNullException.ThrowIfNull(answer);
        answer = Extracts.OneMarkerPerPassage(answer);
        var text = DiscordText.Defuse(answer.Text.Trim());
        if (answer.Outcome == AnswerOutcome.Abstained && answer.SuggestedTopics.Count > 0)
        {
            text += "\n\nTopics I can answer about: " + string.Join(", ", answer.SuggestedTopics.Take(10).Select(DiscordText.Defuse)) + ".";
        }

        if (text.Length == 0)
        {
            text = "I have no answer to that.";
        }

        var answered = answer.Outcome == AnswerOutcome.Answered && answer.Citations.Count > 0;
        var messages = Chunks(text, answered ? answer.Citations : []).Select(c => new MessageParams { Content = c }).ToList();
        var components = withButtons && answer.Outcome != AnswerOutcome.Refused ? Buttons(answer) : null;
        messages[^1] = messages[^1] with
        {
            Embeds = answered ? [SourcesEmbed(answer.Citations)] : null,
            Components = components,
        };
        return messages;
    }

    /// <summary>
    /// Splits the plain text, then links the markers of each chunk; a chunk whose links would pass the content limit
    /// keeps plain markers (the Sources embed still links every citation).
    /// </summary>
    private static IEnumerable<string> Chunks(string text, IReadOnlyList<Citation> citations)
    {
        // Room for the links of a typical chunk; a chunk that still overflows falls back to plain markers.
        var room = citations.Count == 0 ? MaxContent : MaxContent - 400;
        foreach (var chunk in TextSplitter.Split(text, room))
        {
            var linked = LinkMarkers(chunk, citations);
            yield return linked.Length <= MaxContent ? linked : chunk.Length <= MaxContent ? chunk : TextCut.Truncate(chunk, MaxContent);
        }
    }

    /// <summary><c>[n]</c> → <c>[[n]](&lt;url&gt;)</c> for each citation with a URL (angle brackets: no link preview).</summary>
    public static string LinkMarkers(string text, IReadOnlyList<Citation> citations) => MarkerRegex().Replace(text, m =>
    {
        var rank = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var url = LinkUrl(citations.FirstOrDefault(c => c.Rank == rank));
        return url is null ? m.Value : $"[{m.Value}](<{url}>)";
    });

    /// <summary>The citation's link, made safe inside a masked link (parentheses and angle brackets encoded), or null.</summary>
    public static string? LinkUrl(Citation? citation) => LinkUrl(citation?.SourceUrl);

    /// <summary><paramref name="link"/> made safe inside a masked link (parentheses and angle brackets encoded), or null.</summary>
    public static string? LinkUrl(Uri? link)
    {
        var url = link?.AbsoluteUri;
        if (url is null)
        {
            return null;
        }

        url = url.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal)
            .Replace("<", "%3C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal);
        return url.Length <= MaxUrl - 100 ? url : null;
    }

    /// <summary>One embed, one line per citation: "**[1]** [Title › Section](url) — outlet · authors · tier · date".</summary>
    public static Embed SourcesEmbed(IReadOnlyList<Citation> citations)
    {
        var lines = new List<string>();
        var total = 0;
        var shown = 0;
        var list = citations.Take(MaxFields).ToList();
        foreach (var c in list)
        {
            var line = SourceListLine(c);
            if (total + line.Length + 1 > MaxDescription - 40)
            {
                break;
            }

            lines.Add(line);
            total += line.Length + 1;
            shown++;
        }

        return new Embed
        {
            Title = "Sources",
            Description = string.Join('\n', lines),
            Footer = shown < citations.Count ? new EmbedFooter($"{shown.ToString(CultureInfo.InvariantCulture)}/{citations.Count.ToString(CultureInfo.InvariantCulture)} sources shown") : null,
            Color = EmbedColor,
        };
    }

    /// <summary>"**[1]** [Title › Section](&lt;url&gt;) — South China Morning Post · Futterer &amp; Sheng · opinion · Sept 2025".</summary>
    public static string SourceListLine(Citation c)
    {
        var rank = c.Rank.ToString(CultureInfo.InvariantCulture);
        var heading = LinkText(CitationHeading.Compose(c, MaxSourceTitleChars));
        var url = LinkUrl(c);
        var sb = new StringBuilder("**[").Append(rank).Append("]** ");
        sb.Append(url is null ? heading : $"[{heading}](<{url}>)");
        var source = c.SourceLineText;
        if (source.Length > 0)
        {
            sb.Append(" — ").Append(Escape(TextCut.Truncate(source, MaxSourceLineChars)));
        }

        return sb.ToString();
    }

    /// <summary>"Title › Section", the platform-neutral heading (no length limit beyond the embed's).</summary>
    public static string Heading(Citation c) => CitationHeading.Compose(c, MaxTitle);

    /// <summary>
    /// A comparison: one embed with one inline field per jurisdiction (its cited line, or "Not covered …"), side by
    /// side three to a row, then the Sources embed. Field names ≤ 256, values ≤ 1024, ≤ 25 fields.
    /// </summary>
    public static MessageParams ComparisonMessage(Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var fields = comparison.Rows.Take(MaxFields).Select(r => new EmbedField(
            TextCut.Truncate(Escape(r.Jurisdiction.Name.StartsWith("the ", StringComparison.Ordinal) ? r.Jurisdiction.Name[4..] : r.Jurisdiction.Name), MaxFieldName),
            TextCut.Truncate(r.Covered ? LinkMarkers(DiscordText.Defuse(r.Line), comparison.Citations) is { Length: <= MaxFieldValue } linked ? linked : DiscordText.Defuse(r.Line) : "*" + r.NotCoveredText + "*", MaxFieldValue),
            Inline: true)).ToList();
        var compare = new Embed
        {
            Title = TextCut.Truncate(Escape(comparison.Title), MaxTitle),
            Fields = fields,
            Color = EmbedColor,
        };
        var embeds = new List<Embed> { compare };
        if (comparison.Citations.Count > 0)
        {
            embeds.Add(SourcesEmbed(comparison.Citations));
        }

        return new MessageParams { Content = comparison.AnyCovered ? null : "The corpus covers none of these jurisdictions on this topic.", Embeds = embeds };
    }

    /// <summary>A brief: one embed, a bold heading per section and its verbatim cited bullets, the newest source's date in the footer; then the Sources embed.</summary>
    public static MessageParams BriefMessage(Brief brief)
    {
        ArgumentNullException.ThrowIfNull(brief);
        if (brief.Empty)
        {
            return new MessageParams { Content = "I can't brief on that from the corpus: no passage covers it. Try `/sources` to see what it does cover." };
        }

        var sb = new StringBuilder();
        foreach (var section in brief.Sections.Where(s => s.Bullets.Count > 0))
        {
            sb.Append("**").Append(section.Heading).Append("**\n");
            foreach (var bullet in section.Bullets)
            {
                sb.Append("• ").Append(LinkMarkers(DiscordText.Defuse(bullet.Text), brief.Citations)).Append('\n');
            }

            sb.Append('\n');
        }

        var embed = new Embed
        {
            Title = TextCut.Truncate(Escape("Brief: " + brief.Topic), MaxTitle),
            Description = TextCut.Truncate(sb.ToString().TrimEnd(), MaxDescription),
            Footer = brief.AsOfText.Length > 0 ? new EmbedFooter(brief.AsOfText) : null,
            Color = EmbedColor,
        };
        return new MessageParams { Embeds = [embed, SourcesEmbed(brief.Citations)] };
    }

    /// <summary>
    /// The ephemeral Show passages reply: one message, one embed per citation (≤ 10) with the passage in full,
    /// each cut to its share so the whole message stays within 6000 embed characters.
    /// </summary>
    public static MessageParams PassagesMessage(IReadOnlyList<Citation> citations)
    {
        var list = citations.Take(MaxEmbeds).ToList();
        if (list.Count == 0)
        {
            return new MessageParams { Content = "This answer cites no passages.", Flags = MessageFlags.Ephemeral };
        }

        var perEmbed = EmbedBudget / list.Count;
        return new MessageParams { Embeds = list.Select(c => PassageEmbed(c, perEmbed)).ToList(), Flags = MessageFlags.Ephemeral };
    }

    /// <summary>The full passage of one citation (description ≤ 4096).</summary>
    public static Embed FullPassageEmbed(Citation citation) => PassageEmbed(citation, MaxTitle + MaxDescription + 300);

    /// <summary>Total characters Discord counts toward the 6000 limit.</summary>
    public static int CountEmbedCharacters(IEnumerable<Embed> embeds) => embeds.Sum(e =>
        (e.Title?.Trim().Length ?? 0) + (e.Description?.Trim().Length ?? 0) + (e.Footer?.Text.Trim().Length ?? 0)
        + (e.Author?.Name.Trim().Length ?? 0) + (e.Fields?.Sum(f => f.Name.Trim().Length + f.Value.Trim().Length) ?? 0));

    /// <summary>Show passages (answered with citations), 👍 and 👎; null when the answer id cannot fit a custom_id.</summary>
    public static IReadOnlyList<MessageComponent>? Buttons(Answer answer)
    {
        if (FeedbackDownPrefix.Length + answer.Id.Length > MaxCustomId || answer.Id.Length == 0)
        {
            return null;
        }

        var buttons = new List<MessageComponent>();
        if (answer.Outcome == AnswerOutcome.Answered && answer.Citations.Count > 0)
        {
            buttons.Add(new MessageComponent { Type = 2, Style = 2, Label = ShowPassagesLabel, CustomId = SourcesPrefix + answer.Id });
        }

        buttons.Add(new MessageComponent { Type = 2, Style = 2, Emoji = new PartialEmoji("👍"), CustomId = FeedbackUpPrefix + answer.Id });
        buttons.Add(new MessageComponent { Type = 2, Style = 2, Emoji = new PartialEmoji("👎"), CustomId = FeedbackDownPrefix + answer.Id });
        return [new MessageComponent { Type = 1, Components = buttons }];
    }

    /// <summary>Markdown characters escaped, mentions defused: corpus metadata shown as plain text.</summary>
    public static string Escape(string text) => MarkdownSpecial().Replace(DiscordText.Defuse(text), @"\$1");

    /// <summary>Text safe inside a masked link's brackets.</summary>
    public static string LinkText(string text) => Escape(text.Replace('[', '(').Replace(']', ')'));

    private static Embed PassageEmbed(Citation c, int budget)
    {
        // Every counted part is cut to its share so the embed never exceeds budget characters.
        var title = TextCut.Truncate(DiscordText.Defuse($"[{c.Rank.ToString(CultureInfo.InvariantCulture)}] {Heading(c)}"), Math.Min(MaxTitle, Math.Max(16, budget / 4)));
        var source = c.SourceLineText;
        var footerText = source.Length > 0 ? TextCut.Truncate(DiscordText.Defuse(source), Math.Min(MaxFooter, Math.Max(16, budget / 6))) : null;
        var remaining = Math.Min(MaxDescription, budget - title.Length - (footerText?.Length ?? 0));
        var passage = DiscordText.Defuse(c.Passage.Trim());
        var quoteBudget = remaining - QuoteOverhead(passage);
        var description = quoteBudget > 8 ? Quote(TextCut.Truncate(passage, quoteBudget)) : "";
        var url = LinkUrl(c);
        return new Embed
        {
            Title = title,
            Url = url,
            Description = TextCut.Truncate(description, Math.Max(1, remaining)),
            Footer = footerText is null ? null : new EmbedFooter(footerText),
            Color = EmbedColor,
        };
    }

    private static int QuoteOverhead(string passage) => 2 * (1 + passage.Count(ch => ch == '\n'));

    private static string Quote(string passage)
        => string.Join('\n', passage.Split('\n').Select(line => "> " + line.TrimEnd('\r')));
}
