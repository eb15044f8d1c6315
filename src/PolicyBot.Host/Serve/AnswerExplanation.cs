using PolicyBot.Core.Searching;
using PolicyBot.Core.Text;
using PolicyBot.Search;

namespace PolicyBot.Host.Serve;

/// <summary>
/// The <c>--explain</c> breakdown of a question: how it was parsed and why the top passages ranked. One builder
/// for <c>policybot ask --explain</c> and the dashboard's Try page.
/// </summary>
internal sealed record AnswerExplanation(string Parsed, bool Empty, IReadOnlyList<AnswerExplanation.Hit> Hits)
{
    public sealed record Hit(double Score, double Coverage, string Passage, IReadOnlyList<TermContribution> Terms);

    public static AnswerExplanation Build(PolicyBotEngine engine, string question, int top = 3)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var searcher = engine.Searcher;
        var query = searcher.Parse(QuestionText.Clean(question ?? ""));
        var hits = query.IsEmpty ? [] : searcher.Search(query, top)
            .Select(h => new Hit(h.Score, searcher.Coverage(query, h.Passage).Share, searcher.Passage(h.Passage).Text, searcher.Explain(query, h.Passage)))
            .ToList();
        return new AnswerExplanation(query.EmptyReason ?? string.Join(", ", query.ConceptWords), query.IsEmpty, hits);
    }
}
