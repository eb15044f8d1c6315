using System.Text;
using PolicyBot.Core.Answering;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Turns.Commands;

/// <summary>
/// <c>brief &lt;topic&gt;</c>: what it is, status and key dates, what to do — each bullet a verbatim cited extract with its
/// <c>[n]</c>, in one message whose citation pop-ups carry the sources; the date of the newest source last.
/// </summary>
internal sealed class BriefCommand(ConnectorClient connector, IQuestionAnswerer answerer) : ITeamsArgumentCommand
{
    public string Name => "brief";

    public Task HandleAsync(Activity inbound, CancellationToken cancellationToken) =>
        connector.ReplyTextAsync(inbound, "Name a topic, for example: **brief the EU AI Act**.", cancellationToken);

    public async Task HandleAsync(Activity inbound, string arguments, CancellationToken cancellationToken)
    {
        var topic = arguments.StartsWith("me on ", StringComparison.OrdinalIgnoreCase) ? arguments[6..] : arguments.StartsWith("on ", StringComparison.OrdinalIgnoreCase) ? arguments[3..] : arguments;
        var context = new QuestionContext("teams", inbound.TeamId ?? inbound.TenantId, inbound.Conversation?.Id, inbound.From?.AadObjectId ?? inbound.From?.Id);
        var brief = await new BriefComposer(answerer).BriefAsync(topic, context, cancellationToken).ConfigureAwait(false);
        if (brief.Refusal is { } refused)
        {
            await connector.ReplyTextAsync(inbound, refused.Text, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (brief.Empty)
        {
            await connector.ReplyTextAsync(inbound, "I can't brief on that from the corpus: no passage covers it. Type **sources** to see what it does cover.", cancellationToken).ConfigureAwait(false);
            return;
        }

        var text = Text(brief);
        await connector.SendAsync(inbound.ServiceUrl!, inbound.Conversation!.Id!, inbound.Id, TeamsAnswerFormatter.AnswerMessage(inbound, text, brief.Citations), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Markdown: a bold heading per section, its bullets, then the as-of line.</summary>
    public static string Text(Brief brief)
    {
        ArgumentNullException.ThrowIfNull(brief);
        var sb = new StringBuilder("**Brief: ").Append(brief.Topic).Append("**\n\n");
        foreach (var section in brief.Sections.Where(s => s.Bullets.Count > 0))
        {
            sb.Append("**").Append(section.Heading).Append("**\n\n");
            foreach (var bullet in section.Bullets)
            {
                sb.Append("- ").Append(bullet.Text).Append('\n');
            }

            sb.Append('\n');
        }

        if (brief.AsOfText.Length > 0)
        {
            sb.Append('*').Append(brief.AsOfText).Append('*');
        }

        return sb.ToString().TrimEnd();
    }
}
