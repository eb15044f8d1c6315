using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Answers;

/// <summary>
/// Turns a Core <see cref="Answer"/> into Teams activities: text with <c>[n]</c> markers plus exactly one
/// <c>https://schema.org/Message</c> entity (AI label + citations, teams-bot-framework.md §9), the feedback loop,
/// and a separate Adaptive Card 1.5 "Sources" fallback.
/// </summary>
internal static partial class TeamsAnswerFormatter
{
    public const int MaxCitations = 20;
    public const int MaxNameChars = 80;
    public const int MaxAbstractChars = 160;
    public const int MaxKeywords = 3;
    public const int MaxKeywordChars = 28;
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    [GeneratedRegex(@"\[(\d{1,3})\]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRegex();

    /// <summary>The reply skeleton: from/recipient swapped, same conversation id, replyToId = inbound id (A2031/A2302: no id, no serviceUrl).</summary>
    public static Activity CreateReply(Activity inbound, string type = ActivityTypes.Message)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        return new Activity
        {
            Type = type,
            From = inbound.Recipient is null ? null : new ChannelAccount { Id = inbound.Recipient.Id, Name = inbound.Recipient.Name },
            Recipient = inbound.From is null ? null : new ChannelAccount { Id = inbound.From.Id, Name = inbound.From.Name, AadObjectId = inbound.From.AadObjectId },
            Conversation = new ConversationAccount { Id = inbound.Conversation?.Id },
            ReplyToId = type == ActivityTypes.Typing ? null : inbound.Id,
        };
    }

    /// <summary>Plain text reply (welcome, apology, help) — no AI label, no citations.</summary>
    public static Activity TextReply(Activity inbound, string text)
    {
        var reply = CreateReply(inbound);
        reply.TextFormat = "markdown";
        reply.Text = text;
        return reply;
    }

    /// <summary>One or more message activities for the answer text, each at most <paramref name="maxChars"/> of text.</summary>
    public static IReadOnlyList<Activity> AnswerMessages(Activity inbound, Answer answer, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = answer.Answered ? KeepKnownMarkers(answer.Text, answer.Citations) : AbstentionText(answer);
        return TextSplitter.SplitTrimmed(text, maxChars).Select(part => AnswerMessage(inbound, part, answer.Answered ? answer.Citations : [])).ToList();
    }

    /// <summary>One answer message for a piece of text: the citation entity carries exactly the positions whose markers it holds.</summary>
    public static Activity AnswerMessage(Activity inbound, string text, IReadOnlyList<Citation> citations)
    {
        var reply = TextReply(inbound, text);
        reply.ChannelData = new JsonObject { ["feedbackLoopEnabled"] = true };
        reply.Entities = [MessageEntity(text, citations)];
        return reply;
    }

    /// <summary>The single root <c>https://schema.org/Message</c> entity.</summary>
    public static JsonObject MessageEntity(string text, IReadOnlyList<Citation> citations)
    {
        var entity = new JsonObject
        {
            ["type"] = "https://schema.org/Message",
            ["@type"] = "Message",
            ["@context"] = "https://schema.org",
            ["additionalType"] = new JsonArray("AIGeneratedContent"),
        };
        var positions = MarkerPositions(text);
        var claims = new JsonArray();
        foreach (var position in positions.Take(MaxCitations))
        {
            var citation = citations.FirstOrDefault(c => c.Rank == position);
            if (citation is not null)
            {
                claims.Add(Claim(citation));
            }
        }

        if (claims.Count > 0)
        {
            entity["citation"] = claims;
        }

        return entity;
    }

    private static JsonObject Claim(Citation c)
    {
        var appearance = new JsonObject
        {
            ["@type"] = "DigitalDocument",
            ["name"] = TextCut.Truncate(string.IsNullOrWhiteSpace(c.Title) ? c.DocumentPath : c.Title, MaxNameChars),
            ["abstract"] = TextCut.Truncate(WhitespaceRegex().Replace(c.Passage, " ").Trim(), MaxAbstractChars),
        };
        if (c.SourceUrl is { } url)
        {
            appearance["url"] = url.AbsoluteUri;
        }

        var keywords = new JsonArray();
        foreach (var k in c.Section.Split(['›', '>', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(MaxKeywords))
        {
            keywords.Add(TextCut.Truncate(k, MaxKeywordChars));
        }

        if (keywords.Count > 0)
        {
            appearance["keywords"] = keywords;
        }

        return new JsonObject { ["@type"] = "Claim", ["position"] = c.Rank, ["appearance"] = appearance };
    }

    /// <summary>Distinct marker numbers in order of first appearance.</summary>
    public static IReadOnlyList<int> MarkerPositions(string text) =>
        MarkerRegex().Matches(text).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().ToList();

    /// <summary>Drops markers that name no citation, so every [n] left has its citation.</summary>
    public static string KeepKnownMarkers(string text, IReadOnlyList<Citation> citations)
    {
        var ranks = citations.Select(c => c.Rank).Where(r => r <= MaxCitations).ToHashSet();
        return MarkerRegex().Replace(text, m => ranks.Contains(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) ? m.Value : "");
    }

    private static string AbstentionText(Answer answer)
    {
        if (answer.SuggestedTopics.Count == 0)
        {
            return answer.Text;
        }

        var sb = new StringBuilder(answer.Text).Append("\n\nThe documents do cover: ");
        sb.AppendJoin("; ", answer.SuggestedTopics.Take(8));
        return sb.ToString();
    }

    /// <summary>The Adaptive Card 1.5 "Sources" fallback, as its own activity (text and cards are never mixed).</summary>
    public static Activity SourcesCard(Activity inbound, IReadOnlyList<Citation> citations)
    {
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = "Sources", ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
        };
        var actions = new JsonArray();
        foreach (var c in citations.Take(MaxCitations))
        {
            var heading = string.IsNullOrWhiteSpace(c.Section) ? c.Title : $"{c.Title} — {c.Section}";
            if (c.Published is { Length: > 0 } published)
            {
                heading += $" ({published})";
            }

            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = $"[{c.Rank}] {heading}", ["weight"] = "Bolder", ["wrap"] = true, ["spacing"] = "Medium" });
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = TextCut.Truncate(WhitespaceRegex().Replace(c.Passage, " ").Trim(), 600), ["wrap"] = true, ["isSubtle"] = true });
            if (c.SourceUrl is { } url)
            {
                actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = TextCut.Truncate($"[{c.Rank}] {c.Title}", 40), ["url"] = url.AbsoluteUri });
            }
            else if (!string.IsNullOrWhiteSpace(c.Source))
            {
                body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = TextCut.Truncate(c.Source, 300), ["wrap"] = true, ["size"] = "Small", ["isSubtle"] = true });
            }
        }

        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = "1.5",
            ["body"] = body,
        };
        if (actions.Count > 0)
        {
            card["actions"] = actions;
        }

        var reply = CreateReply(inbound);
        reply.Attachments = [new Attachment { ContentType = AdaptiveCardContentType, Content = card }];
        return reply;
    }
}
