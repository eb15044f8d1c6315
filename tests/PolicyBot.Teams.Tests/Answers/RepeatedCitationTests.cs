using System.Text.Json.Nodes;
using PolicyBot.Core.Conversation;
using PolicyBot.Teams.Answers;
using PolicyBot.Teams.Protocol;

namespace PolicyBot.Teams.Tests.Answers;

/// <summary>
/// The NIST answer as the composer writes it ("… four functions: [1]" then one "• item [1]" per function): Teams must
/// show one citation, once, with the lead sentence and the items as its abstract — not five markers and "• Manage".
/// </summary>
public sealed class RepeatedCitationTests
{
    private const string Passage = "The core of the NIST AI RMF is organised into four functions: Govern, Map, Measure and Manage. Each AI RMF function is divided into categories and subcategories that describe specific outcomes and actions.";

    private static Citation Nist(int rank, string passageId = "nist-ai-rmf.md#3") =>
        new(rank, "The NIST AI Risk Management Framework", "The four functions", "https://www.nist.gov/itl/ai-risk-management-framework", Passage, 8, passageId, "nist-ai-rmf.md");

    private static readonly Activity Inbound = new() { Type = ActivityTypes.Message, Id = "in1", Conversation = new ConversationAccount { Id = "c" }, From = new ChannelAccount { Id = "u" }, Recipient = new ChannelAccount { Id = "b" } };

    [Fact]
    public void ListCitingOnePassage_OneMarkerOneEntityAbstractIsLeadAndItems()
    {
        var answer = new Answer
        {
            Id = "a1",
            Question = "What are the four functions of the NIST AI RMF?",
            Outcome = AnswerOutcome.Answered,
            Text = "The core of the NIST AI RMF is organised into four functions: [1]\n• Govern [1]\n• Map [1]\n• Measure [1]\n• Manage [1]",
            Citations = [Nist(1)],
        };

        var message = Assert.Single(TeamsAnswerFormatter.AnswerMessages(Inbound, answer, 4000));
        Assert.Equal("The core of the NIST AI RMF is organised into four functions: [1]\n• Govern\n• Map\n• Measure\n• Manage", message.Text);
        var claim = Assert.IsType<JsonObject>(Assert.Single(Citations(message)));
        Assert.Equal(1, (int)claim["position"]!);
        Assert.Equal("The core of the NIST AI RMF is organised into four functions: Govern, Map, Measure, Manage", (string)claim["appearance"]!["abstract"]!);
    }

    [Fact]
    public void OnePassageCitedUnderTwoNumbers_OneEntityReusedByEveryMarker()
    {
        var other = new Citation(2, "EU AI Act", "Scope", "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "The EU AI Act applies to providers and deployers of AI systems placed on the EU market.", 5, "eu.md#1", "eu.md");
        var answer = new Answer
        {
            Id = "a2",
            Question = "q",
            Outcome = AnswerOutcome.Answered,
            Text = "The core of the NIST AI RMF is organised into four functions: Govern, Map, Measure and Manage. [1] The EU AI Act applies to providers and deployers of AI systems placed on the EU market. [2] Each AI RMF function is divided into categories and subcategories that describe specific outcomes and actions. [3]",
            Citations = [Nist(1), other, Nist(3)],
        };

        var message = Assert.Single(TeamsAnswerFormatter.AnswerMessages(Inbound, answer, 4000));
        Assert.Equal(["1", "2", "1"], System.Text.RegularExpressions.Regex.Matches(message.Text!, @"\[(\d+)\]").Select(m => m.Groups[1].Value));
        var claims = Citations(message).Select(c => c!.AsObject()).ToList();
        Assert.Equal([1, 2], claims.Select(c => (int)c["position"]!));
        var nist = (string)claims[0]["appearance"]!["abstract"]!;
        Assert.StartsWith("The core of the NIST AI RMF", nist, StringComparison.Ordinal);
        Assert.True(nist.Length <= TeamsAnswerFormatter.MaxAbstractChars);
        Assert.EndsWith("…", nist, StringComparison.Ordinal);
        Assert.DoesNotContain("  ", nist, StringComparison.Ordinal);
    }

    private static JsonArray Citations(Activity message)
    {
        var entity = Assert.Single(message.Entities!);
        return Assert.IsType<JsonArray>(entity["citation"]);
    }
}
