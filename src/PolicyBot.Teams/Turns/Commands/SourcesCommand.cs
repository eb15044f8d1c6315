using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PolicyBot.Core.Commands;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary><c>sources</c>: the indexed documents, by title.</summary>
internal sealed class SourcesCommand(ConnectorClient connector, ICorpusCatalog catalog) : ITeamsCommand
{
    private const int MaxListed = 40;
    private const int MaxInCard = 30;

    public string Name => "sources";

    public Task HandleAsync(Activity inbound, CancellationToken cancellationToken) =>
        connector.ReplyTextAsync(inbound, Text(), cancellationToken);

    /// <summary>The documents as an Adaptive Card body (the <c>Action.Execute</c> "sources" verb).</summary>
    public JsonObject CardContent()
    {
        var body = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = "Documents", ["weight"] = "Bolder", ["wrap"] = true } };
        foreach (var d in SourceListing.Ordered(catalog).Take(MaxInCard))
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = d.Title, ["wrap"] = true });
        }

        return new JsonObject { ["type"] = "AdaptiveCard", ["version"] = "1.5", ["body"] = body };
    }

    private string Text()
    {
        var docs = SourceListing.Ordered(catalog);
        if (docs.Count == 0)
        {
            return BotTexts.EmptyCorpus;
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"I answer from {docs.Count} documents:\n\n");
        foreach (var d in docs.Take(MaxListed))
        {
            sb.Append("- ").Append(d.Title);
            if (!string.IsNullOrWhiteSpace(d.Kind))
            {
                sb.Append(" (").Append(d.Kind).Append(')');
            }

            sb.Append('\n');
        }

        if (docs.Count > MaxListed)
        {
            sb.Append(BotTexts.AndMore(docs.Count - MaxListed));
        }

        return sb.ToString().TrimEnd();
    }
}
