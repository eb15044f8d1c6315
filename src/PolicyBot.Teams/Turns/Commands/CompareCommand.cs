using System.Text;
using System.Text.Json.Nodes;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary>
/// <c>compare &lt;topic&gt; [in|for|across] &lt;jurisdictions&gt;</c> ("compare AI regulation in EU, US and Canada"): one cited
/// line per jurisdiction in an Adaptive Card ColumnSet (name | line), "not covered" where the corpus lacks it, the
/// sources listed below with their links. Also used for questions that name two or more jurisdictions.
/// </summary>
internal sealed class CompareCommand(ConnectorClient connector, IQuestionAnswerer answerer, ICorpusCatalog catalog) : ITeamsArgumentCommand
{
    public const string CommandName = "compare";

    public string Name => CommandName;

    public Task HandleAsync(Activity inbound, CancellationToken cancellationToken) =>
        connector.ReplyTextAsync(inbound, "Name a topic and jurisdictions, for example: **compare AI regulation in EU, US and China**.", cancellationToken);

    public Task HandleAsync(Activity inbound, string arguments, CancellationToken cancellationToken)
    {
        // The jurisdictions are the names the text mentions; the composer retrieves on the rest and titles the whole phrase.
        return CompareAsync(inbound, arguments, JurisdictionNames.Find(arguments), cancellationToken);
    }

    public async Task CompareAsync(Activity inbound, string topic, IReadOnlyList<JurisdictionRef> jurisdictions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        var context = new QuestionContext("teams", inbound.TeamId ?? inbound.TenantId, inbound.Conversation?.Id, inbound.From?.AadObjectId ?? inbound.From?.Id);
        var comparison = await new ComparisonComposer(answerer, catalog).CompareAsync(topic, jurisdictions, context, cancellationToken).ConfigureAwait(false);
        if (comparison.Refusal is { } refused)
        {
            await connector.ReplyTextAsync(inbound, refused.Text, cancellationToken).ConfigureAwait(false);
            return;
        }

        var reply = TeamsAnswerFormatter.CardMessage(inbound, Card(comparison));
        reply.Entities = [TeamsAnswerFormatter.MessageEntity("", [])];
        await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, inbound.Id, reply, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adaptive Card 1.0 (ColumnSet, TextBlock, Action.OpenUrl are all 1.0): a title, one row per jurisdiction, then
    /// the sources, each "[n] Title › Section — source line", with an Open link per source that has a URL.
    /// </summary>
    public static JsonObject Card(Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = TeamsAnswerFormatter.CardText(comparison.Title), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
        };
        var fallback = new StringBuilder(comparison.Title).Append('\n');
        foreach (var row in comparison.Rows)
        {
            var name = row.Jurisdiction.Name.StartsWith("the ", StringComparison.Ordinal) ? row.Jurisdiction.Name[4..] : row.Jurisdiction.Name;
            var line = row.Covered ? row.Line : row.NotCoveredText;
            fallback.Append(name).Append(": ").Append(line).Append('\n');
            body.Add(new JsonObject
            {
                ["type"] = "ColumnSet",
                ["separator"] = true,
                ["columns"] = new JsonArray
                {
                    new JsonObject { ["type"] = "Column", ["width"] = "80px", ["items"] = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = TeamsAnswerFormatter.CardText(name), ["weight"] = "Bolder", ["wrap"] = true } } },
                    new JsonObject { ["type"] = "Column", ["width"] = "stretch", ["items"] = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = TeamsAnswerFormatter.CardText(line), ["wrap"] = true, ["isSubtle"] = !row.Covered } } },
                },
            });
        }

        var actions = new JsonArray();
        foreach (var c in comparison.Citations)
        {
            var heading = $"[{c.Rank}] {CitationHeading.Compose(c, 90)}";
            var source = c.SourceLineText;
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = TeamsAnswerFormatter.CardText(source.Length > 0 ? $"{heading} — {source}" : heading), ["size"] = "Small", ["isSubtle"] = true, ["wrap"] = true, ["spacing"] = c.Rank == 1 ? "Large" : "None" });
            if (c.SourceUrl is { } url && actions.Count < 5)
            {
                actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = $"Open [{c.Rank}]", ["url"] = url.AbsoluteUri });
            }
        }

        var card = TeamsAnswerFormatter.AdaptiveCard("1.0", body, fallback.ToString());
        if (actions.Count > 0)
        {
            card["actions"] = actions;
        }

        return card;
    }
}
