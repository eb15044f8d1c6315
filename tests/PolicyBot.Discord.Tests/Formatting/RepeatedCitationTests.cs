using PolicyBot.Core.Conversation;
using PolicyBot.Discord.Formatting;

namespace PolicyBot.Discord.Tests.Formatting;

/// <summary>The NIST answer on Discord: one linked [1] after the list's lead, not one per item; one Sources line.</summary>
public sealed class RepeatedCitationTests
{
    [Fact]
    public void ListCitingOnePassage_OneMarkerAndOneSourcesLine()
    {
        var citation = new Citation(1, "The NIST AI RMF", "The four functions", "https://www.nist.gov/itl/ai-risk-management-framework", "The core of the NIST AI RMF is organised into four functions: Govern, Map, Measure and Manage.", 8, "nist.md#3", "nist.md");
        var twin = citation with { Rank = 2 };
        var answer = new Answer
        {
            Id = "a1",
            Question = "What are the four functions of the NIST AI RMF?",
            Outcome = AnswerOutcome.Answered,
            Text = "The core of the NIST AI RMF is organised into four functions: [1]\n• Govern [1]\n• Map [2]\n• Measure [1]\n• Manage [2]",
            Citations = [citation, twin],
        };

        var message = Assert.Single(AnswerFormatter.Format(answer));
        Assert.Equal("The core of the NIST AI RMF is organised into four functions: [[1]](<https://www.nist.gov/itl/ai-risk-management-framework>)\n• Govern\n• Map\n• Measure\n• Manage", message.Content);
        var sources = Assert.Single(message.Embeds!);
        Assert.Single(sources.Description!.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("NIST", StringComparison.Ordinal));
        Assert.DoesNotContain("[2]", sources.Description, StringComparison.Ordinal);
    }
}
