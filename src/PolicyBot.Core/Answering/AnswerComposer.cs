using System.Text;
using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Searching;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Answering;

/// <summary>
/// Composes an extractive answer from ranked passages: picks the 1–3 sentences that cover most of the
/// question, quotes each verbatim (inline Markdown markers removed) followed by its citation marker, and
/// abstains — naming the closest topics — when the best passage covers too little of the question.
/// </summary>
public sealed partial class AnswerComposer
{
    private readonly AnswerOptions _options;

    public AnswerComposer(AnswerOptions options) => _options = options;

    public AnswerOptions Options => _options;

    public Answer Compose(Question question, SearchResult result, ISearcher searcher, string corpusVersion)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(searcher);
        var query = result.Query;
        var hits = result.Hits;
        if (query.IsEmpty)
        {
            return Abstain(question, query.EmptyReason!, Suggestions(searcher, hits), corpusVersion);
        }

        if (hits.Count == 0)
        {
            var unknown = query.UnknownWords.Take(5).ToList();
            var why = unknown.Count > 0 ? $"the corpus has no passage containing {Quote(unknown)}" : "the corpus has no passage matching the question";
            return Abstain(question, why, Suggestions(searcher, hits), corpusVersion);
        }

        var coverage = searcher.Coverage(query, hits[0].Passage).Share;
        if (coverage < _options.AbstainBelow)
        {
            var missing = Missing(query, searcher, hits[0].Passage);
            var why = missing.Count > 0
                ? $"the closest passage does not mention {Quote(missing)}, so the corpus does not appear to cover this question"
                : "the closest passage matches too little of the question";
            return Abstain(question, why, Suggestions(searcher, hits), corpusVersion);
        }

        // Candidate passages: the top ones, while they stay near the best score.
        var best = hits[0].Score;
        var maxCitations = Math.Clamp(question.MaxCitations, 1, 10);
        var candidates = hits.Where(h => h.Score >= best * _options.CitationKeepRatio).Take(maxCitations).ToList();
        var conceptTotal = query.ConceptIdf.Sum();
        var sentences = new List<(int Hit, int Position, int Start, int Length, double Score)>();
        for (var h = 0; h < candidates.Count; h++)
        {
            var text = searcher.Passage(candidates[h].Passage).Text;
            var spans = SentenceSplitter.Split(text);
            for (var s = 0; s < spans.Count; s++)
            {
                var (start, length) = spans[s];
                if (length < 20 || CountWords(text, start, length) < 4)
                {
                    continue;
                }

                var covered = SentenceCoverage(query, searcher, text.Substring(start, length));
                if (covered <= 0)
                {
                    continue;
                }

                var score = (covered / conceptTotal) + (0.25 * candidates[h].Score / best) + (0.02 / (1 + s));
                sentences.Add((h, s, start, length, score));
            }
        }

        if (sentences.Count == 0)
        {
            return Abstain(question, "no sentence in the closest passages speaks to the question", Suggestions(searcher, hits), corpusVersion);
        }

        var ranked = sentences.OrderByDescending(s => s.Score).ThenBy(s => s.Hit).ThenBy(s => s.Position).ToList();
        var top = ranked[0].Score;
        var chosen = new List<(int Hit, int Position, int Start, int Length, double Score)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in ranked)
        {
            if (chosen.Count >= Math.Clamp(_options.MaxSentences, 1, 3) || s.Score < top * _options.SentenceKeepRatio)
            {
                break;
            }

            var passageText = searcher.Passage(candidates[s.Hit].Passage).Text;
            if (seen.Add(Display(passageText.Substring(s.Start, s.Length))))
            {
                chosen.Add(s);
            }
        }

        chosen.Sort((a, b) => a.Hit != b.Hit ? a.Hit.CompareTo(b.Hit) : a.Position.CompareTo(b.Position));

        // Citations: the passages that gave a sentence, renumbered best first.
        var usedHits = chosen.Select(c => c.Hit).Distinct().Order().ToList();
        var rankOf = usedHits.Select((hit, i) => (hit, rank: i + 1)).ToDictionary(x => x.hit, x => x.rank);
        var citations = usedHits.Select(hit => MakeCitation(searcher, candidates[hit], rankOf[hit])).ToList();
        var answer = new StringBuilder();
        foreach (var s in chosen)
        {
            var passageText = searcher.Passage(candidates[s.Hit].Passage).Text;
            if (answer.Length > 0)
            {
                answer.Append(' ');
            }

            answer.Append(Display(passageText.Substring(s.Start, s.Length))).Append(" [").Append(rankOf[s.Hit]).Append(']');
        }

        return new Answer
        {
            Id = NewId(),
            Question = question.Text,
            Outcome = AnswerOutcome.Answered,
            Text = answer.ToString(),
            Citations = citations,
            CorpusVersion = corpusVersion,
        };
    }

    internal static Citation MakeCitation(ISearcher searcher, SearchHit hit, int rank)
    {
        var passage = searcher.Passage(hit.Passage);
        return new Citation(
            rank,
            passage.Title,
            passage.Section,
            passage.FrontMatter.Source,
            passage.Text,
            Math.Round(hit.Score, 4),
            $"{passage.DocumentPath}#{passage.Ordinal}",
            passage.DocumentPath)
        {
            Published = passage.FrontMatter.Published,
        };
    }

    /// <summary>The abstention answer: says the corpus does not cover it, why, and the closest topics it does cover.</summary>
    public Answer Abstain(Question question, string reason, IReadOnlyList<string> suggestions, string corpusVersion)
    {
        var text = new StringBuilder("I can't answer that from the corpus: ").Append(reason).Append('.');
        if (suggestions.Count > 0)
        {
            text.Append(" Closest topics it does cover: ").Append(string.Join("; ", suggestions)).Append('.');
        }

        return new Answer
        {
            Id = NewId(),
            Question = question.Text,
            Outcome = AnswerOutcome.Abstained,
            Text = text.ToString(),
            Reason = reason,
            SuggestedTopics = suggestions,
            CorpusVersion = corpusVersion,
        };
    }

    public static string NewId() => Guid.CreateVersion7().ToString("N");

    private static List<string> Suggestions(ISearcher searcher, IReadOnlyList<SearchHit> hits)
    {
        var titles = new List<string>();
        foreach (var h in hits)
        {
            var title = searcher.Passage(h.Passage).Title;
            if (!titles.Contains(title))
            {
                titles.Add(title);
            }

            if (titles.Count == 3)
            {
                return titles;
            }
        }

        foreach (var title in searcher.DocumentTitles)
        {
            if (titles.Count == 3)
            {
                break;
            }

            if (!titles.Contains(title))
            {
                titles.Add(title);
            }
        }

        return titles;
    }

    private static List<string> Missing(ParsedQuery query, ISearcher searcher, int passage)
    {
        var covered = searcher.Coverage(query, passage).Covered;
        var missing = new List<string>();
        for (var c = 0; c < covered.Count && missing.Count < 5; c++)
        {
            if (!covered[c])
            {
                missing.Add(query.ConceptWords[c]);
            }
        }

        return missing;
    }

    private static string Quote(IReadOnlyList<string> words) => string.Join(", ", words.Select(w => $"'{w}'"));

    /// <summary>IDF mass of the question's concepts that a sentence mentions.</summary>
    private static double SentenceCoverage(ParsedQuery query, ISearcher searcher, string sentence)
    {
        var stems = new HashSet<string>(searcher.Analyze(sentence), StringComparer.Ordinal);
        var covered = new bool[query.ConceptIdf.Count];
        var total = 0.0;
        foreach (var term in query.Terms)
        {
            if (term.Concept >= 0 && !covered[term.Concept] && stems.Contains(term.Term))
            {
                covered[term.Concept] = true;
                total += query.ConceptIdf[term.Concept];
            }
        }

        return total;
    }

    private static int CountWords(string text, int start, int length)
    {
        var words = 0;
        var inWord = false;
        for (var i = start; i < start + length; i++)
        {
            var w = char.IsLetterOrDigit(text[i]);
            if (w && !inWord)
            {
                words++;
            }

            inWord = w;
        }

        return words;
    }

    /// <summary>A sentence as shown: inline Markdown markers and link targets removed, white space folded.</summary>
    public static string Display(string sentence)
    {
        var s = MarkdownLink().Replace(sentence, "$1");
        s = Emphasis().Replace(s, "$2");
        s = s.Replace("`", "", StringComparison.Ordinal);
        return WhiteSpace().Replace(s, " ").Trim();
    }

    [GeneratedRegex(@"!?\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"(\*\*|__|\*)(?=\S)(.+?)(?<=\S)\1")]
    private static partial Regex Emphasis();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
