using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Answers;

/// <summary>
/// Turns a Core <see cref="Answer"/> into Copilot-style Teams activities (teams-bot-framework.md §9): the text with
/// <c>[n]</c> markers and exactly one <c>https://schema.org/Message</c> entity — the AI label and one citation per
/// marker: <c>appearance.name</c> "Title › Section" (≤ 80, cut at a word), <c>abstract</c> the cited sentence(s)
/// (≤ 160, cut at a word with an ellipsis), <c>keywords</c> the note's topics and jurisdictions (≤ 3 whole words,
/// each ≤ 28), <c>url</c> when known and <c>text</c> an Adaptive Card with the full passage for the pop-up's open
/// view. Feedback through <c>channelData.feedbackLoop</c>. No separate Sources card: the pop-ups carry the sources.
/// </summary>
internal static partial class TeamsAnswerFormatter
{
    public const int MaxCitations = 20;
    public const int MaxNameChars = 80;
    public const int MaxAbstractChars = 160;
    public const int MaxKeywords = 3;
    public const int MaxKeywordChars = 28;
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>The passages in the citation cards of one message stay under this, so the activity stays far below Teams' ~28 KB.</summary>
    public const int PassageBudget = 12000;

    private static readonly HashSet<string> Acronyms = new(StringComparer.OrdinalIgnoreCase) { "ai", "eu", "us", "uk", "nist", "rmf", "gpai", "ipo", "waico", "hk", "sg" };

    [GeneratedRegex(@"\[(\d{1,3})\]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRegex();

    [GeneratedRegex(@"([\\*_`])", RegexOptions.CultureInvariant)]
    private static partial Regex CardMarkdown();

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

    /// <summary>Plain text reply (welcome, apology, help, refusals) — no AI label, no citations, no feedback buttons.</summary>
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
        answer = Extracts.OneMarkerPerPassage(answer);
        var text = answer.Answered ? KeepKnownMarkers(answer.Text, answer.Citations) : AbstentionText(answer);
        var parts = TextSplitter.SplitTrimmed(text, maxChars);
        return answer.Outcome == AnswerOutcome.Refused
            ? parts.Select(part => TextReply(inbound, part)).ToList()
            : parts.Select(part => AnswerMessage(inbound, part, answer.Answered ? answer.Citations : [])).ToList();
    }

    /// <summary>One answer message for a piece of text: the citation entity carries exactly the positions whose markers it holds.</summary>
    public static Activity AnswerMessage(Activity inbound, string text, IReadOnlyList<Citation> citations)
    {
        var reply = TextReply(inbound, text);
        reply.ChannelData = FeedbackLoop();
        reply.Entities = [MessageEntity(text, citations)];
        return reply;
    }

    /// <summary>
    /// The 👍/👎 feedback buttons in the form current Microsoft docs show (<c>feedbackLoop.type = "default"</c>); older
    /// clients and samples used <c>feedbackLoopEnabled: true</c>, which <see cref="HasFeedbackLoop"/> still accepts.
    /// </summary>
    public static JsonObject FeedbackLoop() => new() { ["feedbackLoop"] = new JsonObject { ["type"] = "default" } };

    /// <summary>Whether channelData asks for feedback buttons, in either form.</summary>
    public static bool HasFeedbackLoop(JsonNode? channelData) =>
        channelData is JsonObject o
        && ((o["feedbackLoop"] is JsonObject loop && loop["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type is "default" or "custom")
            || (o["feedbackLoopEnabled"] is JsonValue e && e.TryGetValue<bool>(out var enabled) && enabled));

    /// <summary>The single root <c>https://schema.org/Message</c> entity: the AI label and one citation per marker in <paramref name="text"/>.</summary>
    public static JsonObject MessageEntity(string text, IReadOnlyList<Citation> citations)
    {
        var entity = new JsonObject
        {
            ["type"] = "https://schema.org/Message",
            ["@type"] = "Message",
            ["@context"] = "https://schema.org",
            ["additionalType"] = new JsonArray("AIGeneratedContent"),
        };
        var cited = MarkerPositions(text).Take(MaxCitations)
            .Select(p => citations.FirstOrDefault(c => c.Rank == p))
            .OfType<Citation>()
            .ToList();
        var claims = new JsonArray();
        var perPassage = cited.Count == 0 ? 0 : PassageBudget / cited.Count;
        foreach (var citation in cited)
        {
            claims.Add(Claim(citation, Extracts.SentencesFor(text, citation.Rank), perPassage));
        }

        if (claims.Count > 0)
        {
            entity["citation"] = claims;
        }

        return entity;
    }

    /// <summary>One citation: its heading, the sentence(s) it backs, its keywords, link and the full passage as a card.</summary>
    private static JsonObject Claim(Citation c, string citedSentences, int passageBudget)
    {
        var abstractText = citedSentences.Length > 0 ? citedSentences : WhitespaceRegex().Replace(c.Passage, " ").Trim();
        var appearance = new JsonObject
        {
            ["@type"] = "DigitalDocument",
            ["name"] = CitationHeading.Compose(c, MaxNameChars),
            ["abstract"] = TextCut.Truncate(abstractText, MaxAbstractChars),
            ["encodingFormat"] = AdaptiveCardContentType,
            ["text"] = PassageCard(c, passageBudget).ToJsonString(),
        };
        if (c.SourceUrl is { } url)
        {
            appearance["url"] = url.AbsoluteUri;
        }

        var keywords = Keywords(c);
        if (keywords.Count > 0)
        {
            appearance["keywords"] = new JsonArray([.. keywords.Select(k => (JsonNode)k)]);
        }

        return new JsonObject { ["@type"] = "Claim", ["position"] = c.Rank, ["appearance"] = appearance };
    }

    /// <summary>
    /// Up to three keywords from the note's topics and jurisdictions, alternating (topic, jurisdiction, topic…),
    /// each whole and at most 28 characters: a longer one is left out, never cut.
    /// </summary>
    public static IReadOnlyList<string> Keywords(Citation c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var topics = c.Topics.Select(TopicWords).ToList();
        var places = c.Jurisdictions.Where(j => !string.Equals(j, "GLOBAL", StringComparison.OrdinalIgnoreCase)).Select(PlaceName).ToList();
        var ordered = new List<string>();
        for (var i = 0; i < Math.Max(topics.Count, places.Count); i++)
        {
            if (i < topics.Count)
            {
                ordered.Add(topics[i]);
            }

            if (i < places.Count)
            {
                ordered.Add(places[i]);
            }
        }

        return ordered
            .Select(QuestionText.Clean)
            .Where(k => k.Length is > 0 and <= MaxKeywordChars)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(MaxKeywords)
            .ToList();
    }

    /// <summary>"eu-ai-act" → "EU AI Act", "risk-management" → "Risk Management"; "co-hosting" keeps its hyphen.</summary>
    private static string TopicWords(string slug)
    {
        if (slug.StartsWith("co-", StringComparison.OrdinalIgnoreCase))
        {
            return slug;
        }

        var words = slug.Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => Acronyms.Contains(w) ? w.ToUpperInvariant() : char.ToUpperInvariant(w[0]) + w[1..]);
        return string.Join(' ', words);
    }

    private static string PlaceName(string code)
    {
        var name = JurisdictionNames.NameOf(code);
        return name.StartsWith("the ", StringComparison.Ordinal) ? name[4..] : name;
    }

    /// <summary>
    /// The pop-up's open view: heading, source line and the full passage (cut to the budget at a word), with an
    /// "Open source" link when there is one. Adaptive Card 1.0: every element and property used exists in 1.0.
    /// </summary>
    public static JsonObject PassageCard(Citation c, int passageBudget = 4000)
    {
        ArgumentNullException.ThrowIfNull(c);
        var heading = CitationHeading.Compose(c, 200);
        var passage = TextCut.Truncate(c.Passage.Trim(), Math.Max(200, passageBudget));
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = CardText(heading), ["weight"] = "Bolder", ["wrap"] = true },
        };
        var line = c.SourceLineText;
        if (line.Length > 0)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = CardText(line), ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true, ["spacing"] = "None" });
        }

        body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = CardText(passage), ["wrap"] = true, ["spacing"] = "Medium" });
        var card = AdaptiveCard("1.0", body, $"{heading}\n{line}\n{passage}");
        if (c.SourceUrl is { } url)
        {
            card["actions"] = new JsonArray { new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open source", ["url"] = url.AbsoluteUri } };
        }

        return card;
    }

    /// <summary>An Adaptive Card of the given version (the lowest that has every element used) with its fallback text.</summary>
    public static JsonObject AdaptiveCard(string version, JsonArray body, string fallbackText) => new()
    {
        ["type"] = "AdaptiveCard",
        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
        ["version"] = version,
        ["fallbackText"] = TextCut.Truncate(fallbackText, 2000),
        ["body"] = body,
    };

    /// <summary>A message carrying one Adaptive Card (text and cards are never mixed in one activity).</summary>
    public static Activity CardMessage(Activity inbound, JsonObject card)
    {
        var reply = CreateReply(inbound);
        reply.Attachments = [new Attachment { ContentType = AdaptiveCardContentType, Content = card }];
        return reply;
    }

    /// <summary>Corpus text inside a card TextBlock: its Markdown subset must not turn quoted text into formatting or links.</summary>
    public static string CardText(string text) => CardMarkdown().Replace(text, @"\$1").Replace("](", "] (", StringComparison.Ordinal);

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
}
