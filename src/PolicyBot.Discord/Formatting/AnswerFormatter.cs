using System.Globalization;
using System.Text;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;
using PolicyBot.Discord.Protocol;

namespace PolicyBot.Discord.Formatting;

/// <summary>
/// Turns a Core <see cref="Answer"/> into Discord messages within every limit (discord.md §12): content ≤ 2000 per
/// message (split at paragraph/sentence boundaries), ≤ 10 embeds, embed field limits, ≤ 6000 embed characters per
/// message, ≤ 5 buttons per row, custom_id ≤ 100. Citations become one embed each on the last message, with
/// "Sources" and 👍/👎 buttons whose custom_id carries the answer id.
/// </summary>
internal static class AnswerFormatter
{
    public const int MaxContent = 2000;
    public const int MaxEmbeds = 10;
    public const int MaxEmbedTotal = 6000;
    public const int MaxTitle = 256;
    public const int MaxDescription = 4096;
    public const int MaxFooter = 2048;
    public const int MaxCustomId = 100;
    public const string FeedbackUpPrefix = "fb:up:";
    public const string FeedbackDownPrefix = "fb:down:";
    public const string SourcesPrefix = "src:";
    private const int EmbedBudget = 5800; // below 6000, leaving room for counting differences
    private const int EmbedColor = 0x3B82F6;

    /// <summary>The messages that carry <paramref name="answer"/>, in order; the last carries citations and buttons.</summary>
    public static IReadOnlyList<MessageParams> Format(Answer answer, bool withButtons = true)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = DiscordText.Defuse(answer.Text.Trim());
        if (answer.Outcome == AnswerOutcome.Abstained && answer.SuggestedTopics.Count > 0)
        {
            text += "\n\nTopics I can answer about: " + string.Join(", ", answer.SuggestedTopics.Take(10).Select(DiscordText.Defuse)) + ".";
        }

        if (text.Length == 0)
        {
            text = "I have no answer to that.";
        }

        var chunks = TextSplitter.Split(text, MaxContent);
        var messages = chunks.Select(c => new MessageParams { Content = c }).ToList();
        var embeds = answer.Outcome == AnswerOutcome.Answered ? CitationEmbeds(answer.Citations) : [];
        var components = withButtons ? Buttons(answer) : null;
        messages[^1] = messages[^1] with
        {
            Embeds = embeds.Count > 0 ? embeds : null,
            Components = components,
        };
        return messages;
    }

    /// <summary>One embed per citation with a quoted, shortened passage, sized so all fit in one message.</summary>
    public static IReadOnlyList<Embed> CitationEmbeds(IReadOnlyList<Citation> citations)
    {
        var list = citations.Take(MaxEmbeds).ToList();
        if (list.Count == 0)
        {
            return [];
        }

        var perEmbed = EmbedBudget / list.Count;
        return list.Select(c => CitationEmbed(c, perEmbed)).ToList();
    }

    /// <summary>The full passage of one citation (description ≤ 4096), for the ephemeral "Sources" reply.</summary>
    public static Embed FullPassageEmbed(Citation citation) => CitationEmbed(citation, MaxTitle + MaxDescription + 300);

    /// <summary>Total characters Discord counts toward the 6000 limit.</summary>
    public static int CountEmbedCharacters(IEnumerable<Embed> embeds) => embeds.Sum(e =>
        (e.Title?.Trim().Length ?? 0) + (e.Description?.Trim().Length ?? 0) + (e.Footer?.Text.Trim().Length ?? 0)
        + (e.Author?.Name.Trim().Length ?? 0) + (e.Fields?.Sum(f => f.Name.Trim().Length + f.Value.Trim().Length) ?? 0));

    public static IReadOnlyList<MessageComponent>? Buttons(Answer answer)
    {
        if (FeedbackDownPrefix.Length + answer.Id.Length > MaxCustomId || answer.Id.Length == 0)
        {
            return null;
        }

        var buttons = new List<MessageComponent>();
        if (answer.Outcome == AnswerOutcome.Answered && answer.Citations.Count > 0)
        {
            buttons.Add(new MessageComponent { Type = 2, Style = 2, Label = "Sources", CustomId = SourcesPrefix + answer.Id });
        }

        buttons.Add(new MessageComponent { Type = 2, Style = 2, Emoji = new PartialEmoji("👍"), CustomId = FeedbackUpPrefix + answer.Id });
        buttons.Add(new MessageComponent { Type = 2, Style = 2, Emoji = new PartialEmoji("👎"), CustomId = FeedbackDownPrefix + answer.Id });
        return [new MessageComponent { Type = 1, Components = buttons }];
    }

    private static Embed CitationEmbed(Citation c, int budget)
    {
        // Every counted part is cut to its share so the embed never exceeds budget characters.
        var title = TextCut.Truncate(DiscordText.Defuse($"[{c.Rank.ToString(CultureInfo.InvariantCulture)}] {c.Title}"), Math.Min(MaxTitle, Math.Max(16, budget / 3)));
        var footerParts = new List<string>();
        if (c.SourceUrl is null && !string.IsNullOrWhiteSpace(c.Source))
        {
            footerParts.Add(c.Source.Trim());
        }

        if (!string.IsNullOrWhiteSpace(c.Published))
        {
            footerParts.Add(c.Published.Trim());
        }

        var footerText = footerParts.Count > 0 ? TextCut.Truncate(DiscordText.Defuse(string.Join(" · ", footerParts)), Math.Min(MaxFooter, Math.Max(16, budget / 6))) : null;
        var remaining = Math.Min(MaxDescription, budget - title.Length - (footerText?.Length ?? 0));
        var description = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(c.Section))
        {
            description.Append('*').Append(TextCut.Truncate(DiscordText.Defuse(c.Section.Replace("*", "", StringComparison.Ordinal)), Math.Min(200, Math.Max(8, remaining / 4)))).Append("*\n");
        }

        var quoteBudget = remaining - description.Length - QuoteOverhead(c.Passage);
        if (quoteBudget > 8)
        {
            description.Append(Quote(TextCut.Truncate(DiscordText.Defuse(c.Passage), quoteBudget)));
        }

        var url = c.SourceUrl?.AbsoluteUri;
        return new Embed
        {
            Title = title,
            Url = url is { Length: <= 2048 } ? url : null,
            Description = TextCut.Truncate(description.ToString(), Math.Max(1, remaining)),
            Footer = footerText is null ? null : new EmbedFooter(footerText),
            Color = EmbedColor,
        };
    }

    private static int QuoteOverhead(string passage) => 2 * (1 + passage.Count(ch => ch == '\n'));

    private static string Quote(string passage)
        => string.Join('\n', passage.Split('\n').Select(line => "> " + line.TrimEnd('\r')));
}
