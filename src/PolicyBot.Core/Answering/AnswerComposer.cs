using System.Text;
using System.Text.RegularExpressions;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Language;
using PolicyBot.Core.Searching;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Answering;

/// <summary>
/// Composes an extractive answer from ranked passages: 1–4 sentences chosen for the question's kind (a date for
/// "when", a number for "how many", reasons for "why", advice for "what should", the items for a list), quoted
/// verbatim (inline Markdown markers removed) with their citation markers, preferring adjacent sentences of one
/// passage, bringing the sentence before one that opens with "This/It/They", never two that say the same thing, and
/// no sentence about the note itself unless nothing else answers. It abstains — naming the closest topics — when
/// the question names something the corpus lacks (a country, a law, a programme) or the best passage covers too
/// little of the question, and it says how confident the answer is.
/// </summary>
public sealed partial class AnswerComposer
{
    /// <summary>The words a low-confidence answer opens with, so every platform shows it.</summary>
    public const string PartlyCoveredNotice = "The corpus only partly covers this; the closest passages say:";

    /// <summary>The line a Chinese question's answer opens with (simplified and traditional).</summary>
    public const string EnglishSourcesNotice = "（以下内容根据英文资料回答 · answered from English sources）";

    public const string EnglishSourcesNoticeTraditional = "（以下內容根據英文資料回答 · answered from English sources）";

    private readonly AnswerOptions _options;

    public AnswerComposer(AnswerOptions options) => _options = options;

    public AnswerOptions Options => _options;

    private sealed record Candidate(int Hit, int Position, int Start, int Length, string Shown, HashSet<string> Terms, double Score, bool AboutNote)
    {
        /// <summary>Whether it speaks to the question at all (shares a question word or fits its kind); the others are only antecedents.</summary>
        public bool Speaks { get; init; } = true;

        /// <summary>The last sentence of its passage (the antecedent of the next passage's first sentence).</summary>
        public bool Last { get; init; }

        /// <summary>Which of the question's concepts it mentions.</summary>
        public bool[] Concepts { get; init; } = [];
    }

    /// <summary>
    /// A passage's next neighbour in its document is context evidence for the passage itself: it enters the
    /// candidates at this share of the passage's score, and only with a first sentence that points back to it.
    /// </summary>
    private const double NeighbourShare = 0.5;

    /// <summary>A concept named only in the sentence a pointing-back sentence refers to counts this much (coreference is weaker evidence).</summary>
    private const double AntecedentShare = 0.5;

    public Answer Compose(Question question, SearchResult result, ISearcher searcher, string corpusVersion) =>
        Compose(question, result, searcher, corpusVersion, AnswerEvidence.None);

    public Answer Compose(Question question, SearchResult result, ISearcher searcher, string corpusVersion, AnswerEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(evidence);
        var query = result.Query;
        var hits = result.Hits;
        if (query.IsEmpty)
        {
            return Abstain(question, query.EmptyReason!, Suggestions(searcher, hits), corpusVersion, evidence);
        }

        if (hits.Count == 0)
        {
            var unknown = query.UnknownWords.Take(5).ToList();
            var why = unknown.Count > 0 ? $"the corpus has no passage containing {Quote(unknown)}" : "the corpus has no passage matching the question";
            return Abstain(question, why, Suggestions(searcher, hits), corpusVersion, evidence);
        }

        // A question about a country, law or programme the corpus never names is not answered about something else.
        var english = evidence.Translation?.English ?? question.Text;
        var closest = hits.Take(3).Select(h => searcher.Coverage(query, h.Passage)).ToList();
        var absent = UncoveredEntities(english, query, searcher, closest);
        if (absent.Count > 0)
        {
            var why = $"the corpus has nothing on {string.Join(", ", absent.Select(a => $"'{a}'"))}, so it does not cover this question";
            return Abstain(question, why, Suggestions(searcher, hits), corpusVersion, evidence, absent);
        }

        var coverage = closest[0].Share;
        var rescued = false;
        if (coverage < _options.AbstainBelow)
        {
            // A paraphrase shares few words with its answer: the semantic stage's closest passage answers when it is
            // close enough in meaning and still shares some of the question's words (off-topic questions score far lower).
            var rescue = SemanticRescue(query, searcher, hits, evidence);
            if (rescue is { } r)
            {
                rescued = true;
                coverage = r.Coverage.Share;
                hits = [hits[r.Index], .. hits.Where((_, i) => i != r.Index)];

                // The rescued passage answers alone, so it must itself speak of what the question is about when the
                // corpus names that only in passing: a question on Japan's AI law is not answered from a passage on
                // Hong Kong because one other passage mentions Japan. (Names the corpus is about — "US", "Chinese" —
                // are left to the meaning match: their passages say "China" or "NIST" as often as the name itself.)
                var unrelated = UncoveredEntities(english, query, searcher, [r.Coverage])
                    .Where(name => MentionedInPassing(searcher, name))
                    .ToList();
                if (unrelated.Count > 0)
                {
                    var why = $"the closest passage in meaning does not speak of {string.Join(", ", unrelated.Select(a => $"'{a}'"))}, so the corpus does not appear to cover this question";
                    return Abstain(question, why, Suggestions(searcher, hits), corpusVersion, evidence, unrelated);
                }
            }
            else
            {
                var missing = Missing(query, searcher, hits[0].Passage);
                var why = missing.Count > 0
                    ? $"the closest passage does not mention {Quote(missing)}, so the corpus does not appear to cover this question"
                    : "the closest passage matches too little of the question";
                return Abstain(question, why, Suggestions(searcher, hits), corpusVersion, evidence);
            }
        }

        var kind = QuestionKinds.Detect(english);
        var best = hits[0].Score;
        var maxCitations = Math.Clamp(question.MaxCitations, 1, 10);
        var candidates = hits.Where(h => h.Score >= best * _options.CitationKeepRatio).Take(maxCitations).ToList();
        var passages = candidates.Select(h => searcher.Passage(h.Passage)).ToList();
        var neighbour = AddNeighbour(searcher, candidates, passages, maxCitations);
        var subject = kind == QuestionKind.General ? QuestionKinds.DefinitionSubject(english) : null;
        var all = Sentences(query, searcher, kind, candidates, passages, evidence, neighbour, subject);
        var sentences = all.Where(c => c.Speaks).ToList();
        if (sentences.Count == 0)
        {
            return Abstain(question, "no sentence in the closest passages speaks to the question", Suggestions(searcher, hits), corpusVersion, evidence);
        }

        var chosen = Choose(kind, sentences, all, neighbour, searcher, candidates, query.ConceptIdf);
        var parts = Render(kind, chosen, passages, out var usedHits);
        if (parts.Count == 0)
        {
            return Abstain(question, "no sentence in the closest passages speaks to the question", Suggestions(searcher, hits), corpusVersion, evidence);
        }

        var rankOf = usedHits.Select((hit, i) => (hit, rank: i + 1)).ToDictionary(x => x.hit, x => x.rank);
        var citations = usedHits.Select(hit => MakeCitation(passages[hit], candidates[hit], rankOf[hit])).ToList();
        var confidence = Confidence(coverage, rescued, hits, evidence, chosen);
        var text = new StringBuilder();
        if (evidence.IsChinese)
        {
            text.Append(evidence.Translation!.Traditional ? EnglishSourcesNoticeTraditional : EnglishSourcesNotice).Append('\n');
        }

        if (confidence == AnswerConfidence.Low)
        {
            text.Append(PartlyCoveredNotice).Append('\n');
        }

        text.Append(string.Join(kind == QuestionKind.List && parts.Any(p => p.Bullet) ? "\n" : " ", parts.Select(p => $"{(p.Bullet ? "• " : "")}{p.Text} [{rankOf[p.Hit]}]")));
        return new Answer
        {
            Id = NewId(),
            Question = question.Text,
            Outcome = AnswerOutcome.Answered,
            Text = text.ToString(),
            Citations = citations,
            CorpusVersion = corpusVersion,
            Confidence = confidence,
        };
    }

    /// <summary>
    /// The hit (among the first few) the semantic stage finds closest in meaning, when its cosine reaches
    /// <see cref="AnswerOptions.SemanticAnswerAbove"/> and it covers at least <see cref="AnswerOptions.SemanticMinCoverage"/>
    /// of the question's words; null otherwise (or with the stage off).
    /// </summary>
    private (int Index, PassageCoverage Coverage)? SemanticRescue(ParsedQuery query, ISearcher searcher, IReadOnlyList<SearchHit> hits, AnswerEvidence evidence)
    {
        if (!evidence.HasSemantic)
        {
            return null;
        }

        (int Index, PassageCoverage Coverage, double Similarity)? best = null;
        for (var i = 0; i < Math.Min(hits.Count, 5); i++)
        {
            var similarity = evidence.Similarity(hits[i].Passage);
            if (similarity < _options.SemanticAnswerAbove || (best is { } b && similarity <= b.Similarity))
            {
                continue;
            }

            var coverage = searcher.Coverage(query, hits[i].Passage);
            if (coverage.Share >= _options.SemanticMinCoverage)
            {
                best = (i, coverage, similarity);
            }
        }

        return best is { } found ? (found.Index, found.Coverage) : null;
    }

    /// <summary>
    /// The next passage of the best one, when its first sentence points back ("The initiative was first proposed
    /// by…"): the passage continues the best one, so it joins the candidates (replacing the last one when the
    /// citations are full). Returns its index among the candidates, or -1.
    /// </summary>
    private static int AddNeighbour(ISearcher searcher, List<SearchHit> candidates, List<PassageInfo> passages, int maxCitations)
    {
        var next = searcher.NextPassage(candidates[0].Passage);
        if (next < 0)
        {
            return -1;
        }

        var info = searcher.Passage(next);
        var spans = SentenceSplitter.Split(info.Text);
        if (spans.Count == 0 || !SentenceTraits.NeedsAntecedent(Display(info.Text.Substring(spans[0].Start, spans[0].Length))))
        {
            return -1;
        }

        var at = candidates.FindIndex(c => c.Passage == next);
        if (at > 0)
        {
            // Already a candidate on its own words: it keeps the better of its score and its share of the best one's.
            candidates[at] = candidates[at] with { Score = Math.Max(candidates[at].Score, candidates[0].Score * NeighbourShare) };
            return at;
        }

        if (candidates.Count >= maxCitations)
        {
            if (candidates.Count == 1)
            {
                return -1;
            }

            candidates.RemoveAt(candidates.Count - 1);
            passages.RemoveAt(passages.Count - 1);
        }

        candidates.Add(new SearchHit(next, candidates[0].Score * NeighbourShare));
        passages.Add(info);
        return candidates.Count - 1;
    }

    /// <summary>
    /// Every sentence of the candidate passages, scored for the question's kind; those that speak to the question
    /// are marked (the rest serve as antecedents). A sentence that points back ("This…", "The initiative…") also
    /// counts, at <see cref="AntecedentShare"/>, the question words of the sentence it points to. For a definition
    /// question ("What is X?") a sentence whose subject is X ("X is …") fits the kind.
    /// </summary>
    private static List<Candidate> Sentences(ParsedQuery query, ISearcher searcher, QuestionKind kind, IReadOnlyList<SearchHit> hits, IReadOnlyList<PassageInfo> passages, AnswerEvidence evidence, int neighbour, string? subject)
    {
        var conceptTotal = Math.Max(1e-9, query.ConceptIdf.Sum());
        var best = hits[0].Score;
        var subjectTerms = subject is null ? null : SubjectTerms(query, searcher, subject);
        var queryTerms = new HashSet<string>(query.Terms.Select(t => t.Term), StringComparer.Ordinal);
        var sentences = new List<Candidate>();
        bool[]? bestPassage = null;
        for (var h = 0; h < hits.Count; h++)
        {
            var text = passages[h].Text;
            var spans = SentenceSplitter.Split(text);
            bool[]? previous = h == neighbour ? bestPassage : null;
            for (var s = 0; s < spans.Count; s++)
            {
                var (start, length) = spans[s];
                if (length < 20 || CountWords(text, start, length) < 4)
                {
                    continue;
                }

                var raw = text.Substring(start, length);
                var terms = new HashSet<string>(searcher.Analyze(raw), StringComparer.Ordinal);
                var concepts = SentenceConcepts(query, terms);
                if (kind == QuestionKind.Comparison)
                {
                    // "differ", "versus", "compared" ask for a comparison; they are not what the answer is about.
                    for (var c = 0; c < concepts.Length; c++)
                    {
                        concepts[c] &= !QuestionKinds.IsComparisonWord(query.ConceptWords[c]);
                    }
                }

                var covered = Mass(query, concepts);
                var shown = Display(raw);
                if (previous is not null && SentenceTraits.NeedsAntecedent(shown))
                {
                    for (var c = 0; c < concepts.Length; c++)
                    {
                        if (!concepts[c] && previous[c])
                        {
                            covered += AntecedentShare * query.ConceptIdf[c];
                        }
                    }
                }

                previous = concepts;
                if (h == 0)
                {
                    // The neighbour's opening sentence points back to the best passage as a whole ("The initiative…").
                    bestPassage ??= new bool[concepts.Length];
                    for (var c = 0; c < concepts.Length; c++)
                    {
                        bestPassage[c] |= concepts[c];
                    }
                }

                var fit = SentenceTraits.Fit(kind, raw);
                if (subjectTerms is { Count: > 0 } && SentenceTraits.DefinedSubject(shown) is { } defined)
                {
                    var head = new HashSet<string>(searcher.Analyze(defined), StringComparer.Ordinal);
                    // The subject as defined may leave out a qualifier of the question ("compliance mapping" for "compliance
                    // mapping for AI") but adds nothing of its own ("The Tidal Registry office is…" defines the office).
                    if (subjectTerms.Count(head.Contains) * 3 >= subjectTerms.Count * 2 && head.All(t => queryTerms.Contains(t) || Articles.Contains(t)))
                    {
                        fit = Math.Max(fit, 1);
                    }
                }

                // From the neighbour only its opening sentence (the one that points back) may answer.
                var speaks = (covered > 0 || fit > 0) && (h != neighbour || s == 0);
                var aboutNote = SentenceTraits.IsAboutTheNote(raw);
                var semantic = evidence.HasSemantic ? 0.15 * Math.Max(0, evidence.Similarity(hits[h].Passage)) : 0;
                var score = (covered / conceptTotal) + (0.25 * hits[h].Score / best) + (0.2 * fit * hits[h].Score / best) + semantic + (0.02 / (1 + s)) - (aboutNote ? 0.6 : 0);
                sentences.Add(new Candidate(h, s, start, length, shown, terms, score, aboutNote) { Speaks = speaks, Last = s == spans.Count - 1, Concepts = concepts });
            }
        }

        return sentences;
    }

    /// <summary>Words a defined subject may carry beside the question's own ("The … of …").</summary>
    private static readonly HashSet<string> Articles = new(["the", "a", "an", "of", "and", "s"], StringComparer.Ordinal);

    /// <summary>The analysed question terms that make up a definition question's subject ("the EU AI Act" → eu, ai, act).</summary>
    private static List<string> SubjectTerms(ParsedQuery query, ISearcher searcher, string subject)
    {
        var asked = new HashSet<string>(query.Terms.Where(t => t.Origin is QueryTermOrigin.Question or QueryTermOrigin.Correction).Select(t => t.Term), StringComparer.Ordinal);
        var terms = new List<string>();
        foreach (var stem in searcher.Analyze(subject))
        {
            if (asked.Contains(stem))
            {
                terms.Add(stem);
                continue;
            }

            // A mistyped word ("maping") stands for its correction ("map").
            var typed = query.Terms.FirstOrDefault(t => t.Term == stem && t.TermId < 0);
            var fix = typed is null ? null : query.Terms.FirstOrDefault(t => t.Concept == typed.Concept && t.Origin == QueryTermOrigin.Correction)?.Term;
            if (fix is not null)
            {
                terms.Add(fix);
            }
        }

        return terms.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Picks the sentences: the best one, then (up to the limit for the kind) further good ones, preferring the
    /// neighbours of a chosen sentence, skipping near-duplicates and sentences about the note (unless nothing else
    /// is left), and adding the sentence before one that points back to it.
    /// </summary>
    private List<Candidate> Choose(QuestionKind kind, List<Candidate> sentences, List<Candidate> all, int neighbour, ISearcher searcher, IReadOnlyList<SearchHit> hits, IReadOnlyList<double> conceptIdf)
    {
        var limit = Math.Clamp(_options.MaxSentences, 1, 4);
        limit = kind switch
        {
            QuestionKind.When or QuestionKind.Quantity or QuestionKind.Who => Math.Min(limit, 2),
            QuestionKind.List => 1,
            _ => limit,
        };

        var pool = sentences.Where(s => !s.AboutNote).ToList();
        if (pool.Count == 0)
        {
            pool = sentences;
        }

        var ranked = pool.OrderByDescending(s => s.Score).ThenBy(s => s.Hit).ThenBy(s => s.Position).ToList();
        if (kind == QuestionKind.List)
        {
            // A list question is answered by the best sentence that enumerates items, when one is close to the best.
            var list = ranked.FirstOrDefault(s => SentenceTraits.Enumeration(s.Shown) is not null);
            if (list is not null && (list.Hit == ranked[0].Hit || list.Score >= ranked[0].Score * 0.9))
            {
                return WithAntecedent([list], all, neighbour, searcher, hits);
            }

            limit = Math.Clamp(_options.MaxSentences, 1, 4);
        }

        var top = ranked[0];
        var chosen = new List<Candidate> { top };
        while (chosen.Count < limit)
        {
            Candidate? next = null;
            var nextScore = double.MinValue;
            foreach (var s in ranked)
            {
                if (chosen.Contains(s) || chosen.Any(c => SentenceTraits.Overlap(c.Terms, s.Terms) >= 0.7 || c.Shown == s.Shown))
                {
                    continue;
                }

                // Neighbours of a chosen sentence in the same passage read as one answer.
                var adjacent = chosen.Any(c => c.Hit == s.Hit && Math.Abs(c.Position - s.Position) == 1);
                var value = s.Score + (adjacent ? 0.15 : 0) + (s.Hit == top.Hit ? 0.05 : 0);
                if (kind == QuestionKind.Comparison)
                {
                    // A comparison is answered for each side: a sentence on a side not yet quoted counts its new words.
                    value += NewConcepts(s, chosen, conceptIdf);
                }
                if (value > nextScore)
                {
                    next = s;
                    nextScore = value;
                }
            }

            if (next is null || (next.Score < top.Score * _options.SentenceKeepRatio && !(kind == QuestionKind.Comparison && NewConcepts(next, chosen, conceptIdf) > 0 && next.Score >= top.Score * _options.SentenceKeepRatio * 0.5)))
            {
                break;
            }

            chosen.Add(next);
        }

        return WithAntecedent(chosen, all, neighbour, searcher, hits);
    }

    /// <summary>Share of the question's IDF mass a sentence mentions that none of the chosen ones does.</summary>
    private static double NewConcepts(Candidate s, List<Candidate> chosen, IReadOnlyList<double> conceptIdf)
    {
        double total = 0, fresh = 0;
        for (var c = 0; c < conceptIdf.Count && c < s.Concepts.Length; c++)
        {
            total += conceptIdf[c];
            if (s.Concepts[c] && !chosen.Any(x => c < x.Concepts.Length && x.Concepts[c]))
            {
                fresh += conceptIdf[c];
            }
        }

        return total <= 0 ? 0 : fresh / total;
    }

    /// <summary>
    /// Adds, before a sentence that opens by pointing back ("This…", "It…"), the sentence it points to: the one
    /// before it in its passage, or, for the neighbour passage's opening sentence, the last one of the best passage.
    /// </summary>
    private static List<Candidate> WithAntecedent(List<Candidate> chosen, List<Candidate> all, int neighbour, ISearcher searcher, IReadOnlyList<SearchHit> hits)
    {
        var result = new List<Candidate>(chosen);
        foreach (var c in chosen)
        {
            if (!SentenceTraits.NeedsAntecedent(c.Shown))
            {
                continue;
            }

            Candidate? before = null;
            if (c.Position > 0)
            {
                before = all.LastOrDefault(a => a.Hit == c.Hit && a.Position < c.Position);
            }
            else if (c.Hit == neighbour && neighbour > 0 && !result.Any(r => r.Hit == 0))
            {
                before = all.LastOrDefault(a => a.Hit == 0 && a.Last);
            }

            if (before is not null && !result.Contains(before) && result.Count < 4)
            {
                result.Add(before);
            }
        }

        // The passage of the best sentence leads (it is the answer's main evidence, cited [1]); then retrieval order;
        // a sentence that opens its passage by pointing back reads after the previous passage it points to.
        var lead = chosen[0].Hit;
        result.Sort((a, b) => a.Hit != b.Hit ? (a.Hit == lead ? -1 : b.Hit == lead ? 1 : a.Hit.CompareTo(b.Hit)) : a.Position.CompareTo(b.Position));
        for (var i = 0; i < result.Count; i++)
        {
            var c = result[i];
            if (c.Position != 0 || !SentenceTraits.NeedsAntecedent(c.Shown))
            {
                continue;
            }

            var previous = searcher.PreviousPassage(hits[c.Hit].Passage);
            var before = previous < 0 ? -1 : hits.ToList().FindIndex(h => h.Passage == previous);
            var moved = result.Skip(i + 1).Where(r => r.Hit == before).ToList();
            if (moved.Count > 0)
            {
                result.RemoveAll(moved.Contains);
                result.InsertRange(i, moved);
                i += moved.Count;
            }
        }

        return result;
    }

    private readonly record struct Part(int Hit, string Text, bool Bullet);

    /// <summary>The quoted parts in order, each checked against its passage; the hits they cite, best first.</summary>
    private static List<Part> Render(QuestionKind kind, List<Candidate> chosen, IReadOnlyList<PassageInfo> passages, out List<int> usedHits)
    {
        var parts = new List<Part>();
        foreach (var c in chosen)
        {
            var items = kind == QuestionKind.List ? SentenceTraits.Enumeration(c.Shown) : null;
            if (items is not null)
            {
                var colon = c.Shown.IndexOf(':', StringComparison.Ordinal);
                parts.Add(new Part(c.Hit, c.Shown[..(colon + 1)], false));
                parts.AddRange(items.Select(i => new Part(c.Hit, c.Shown.Substring(i.Start, i.Length), true)));
            }
            else
            {
                parts.Add(new Part(c.Hit, c.Shown, false));
            }
        }

        // Every quote must stand in the passage it cites, exactly as shown (a safeguard: drop what does not).
        parts = parts.Where(p => Display(passages[p.Hit].Text).Contains(p.Text, StringComparison.Ordinal)).ToList();
        usedHits = parts.Select(p => p.Hit).Distinct().ToList();
        return parts;
    }

    /// <summary>
    /// High when the best passage covers most of the question and (with the semantic stage on) the semantic ranking
    /// agrees on it; low when only the semantic stage carried the answer, coverage is thin, or the answer could only
    /// be made of sentences about the note.
    /// </summary>
    private AnswerConfidence Confidence(double coverage, bool rescued, IReadOnlyList<SearchHit> hits, AnswerEvidence evidence, List<Candidate> chosen)
    {
        if (rescued || coverage < _options.LowConfidenceBelow || chosen.All(c => c.AboutNote))
        {
            return AnswerConfidence.Low;
        }

        var agreed = !evidence.HasSemantic || evidence.SemanticOrder.Take(3).Contains(hits[0].Passage);
        var margin = hits.Count < 2 || hits[1].Score <= 0 ? 2 : hits[0].Score / hits[1].Score;
        return coverage >= _options.HighConfidenceFrom && agreed && margin >= 1.05 ? AnswerConfidence.High : AnswerConfidence.Medium;
    }

    /// <summary>
    /// The names in the question (a country, a city, a law, a programme) the corpus cannot answer about: a name none
    /// of whose searched forms the corpus holds (each word known to the corpus itself, through a synonym that brings a
    /// whole other name, or through a spelling correction of a word long enough to be a typo rather than another
    /// name), or a first-named subject the corpus mentions but none of the closest passages does ("Japan" for a question on Japan's
    /// AI law, answered otherwise from a passage on Hong Kong).
    /// </summary>
    private static List<string> UncoveredEntities(string question, ParsedQuery query, ISearcher searcher, IReadOnlyList<PassageCoverage> closest)
    {
        var absent = new List<string>();
        var first = true;
        foreach (var mention in FocalEntities.Find(question))
        {
            // The first name is what the question is about; later ones ("firms based in Asia") may be incidental.
            var focal = first;
            first = false;
            var concepts = new HashSet<int>();
            var missing = false;
            foreach (var word in mention.Words)
            {
                var concept = ConceptOf(query, word);
                if (concept >= 0)
                {
                    concepts.Add(concept);
                }

                var stems = searcher.Analyze(word);
                if (stems.Count == 0 || stems.All(t => searcher.DocumentFrequency(t) > 0))
                {
                    continue;
                }

                var terms = concept < 0 ? [] : query.Terms.Where(t => t.Concept == concept && t.IsKnown && t.Weight > 0).ToList();
                var known = terms.Any(t => t.Origin == QueryTermOrigin.Correction && word.Length >= 7)
                    || terms.Count(t => t.Origin == QueryTermOrigin.Synonym) >= 2;
                if (!known)
                {
                    missing = true;
                    break;
                }
            }

            if (missing || (focal && concepts.Count > 0 && closest.Count > 0 && !closest.Any(c => concepts.All(k => k < c.Covered.Count && c.Covered[k]))))
            {
                absent.Add(mention.Text);
            }
        }

        return absent;
    }

    /// <summary>
    /// Whether the corpus names <paramref name="name"/> only in passing: one of its words stands in at most one
    /// passage in fifty (and at least one passage), so the name is not a subject the corpus covers.
    /// </summary>
    private static bool MentionedInPassing(ISearcher searcher, string name)
    {
        var rare = Math.Max(1, searcher.PassageCount / 50);
        return searcher.Analyze(name).Any(t => searcher.DocumentFrequency(t) is > 0 and var df && df <= rare);
    }

    /// <summary>The concept (question word) of the parsed query that a surface word stands for, or -1.</summary>
    private static int ConceptOf(ParsedQuery query, string word)
    {
        for (var c = 0; c < query.ConceptWords.Count; c++)
        {
            foreach (var w in query.ConceptWords[c].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(w.TrimEnd('\'', '’', 's'), word.TrimEnd('\'', '’', 's'), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(w, word, StringComparison.OrdinalIgnoreCase))
                {
                    return c;
                }
            }
        }

        return -1;
    }

    internal static Citation MakeCitation(PassageInfo passage, SearchHit hit, int rank) =>
        new(
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
            Reference = passage.FrontMatter.MainSource,
            Jurisdictions = passage.FrontMatter.Jurisdictions,
            Topics = passage.FrontMatter.Topics,
        };

    /// <summary>The abstention answer: says the corpus does not cover it, why, and the closest topics it does cover.</summary>
    public Answer Abstain(Question question, string reason, IReadOnlyList<string> suggestions, string corpusVersion) =>
        Abstain(question, reason, suggestions, corpusVersion, AnswerEvidence.None);

    /// <summary>The abstention answer, in Chinese for a Chinese question (naming the missing names in the question's own words).</summary>
    public Answer Abstain(Question question, string reason, IReadOnlyList<string> suggestions, string corpusVersion, AnswerEvidence evidence, IReadOnlyList<string>? absent = null)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(evidence);
        var text = new StringBuilder();
        if (evidence.IsChinese)
        {
            var t = evidence.Translation!;
            var names = absent is { Count: > 0 }
                ? t.Matched.Where(e => absent.Any(a => string.Equals(a, e.English, StringComparison.OrdinalIgnoreCase))).Select(e => t.Traditional ? e.Traditional : e.Simplified).Distinct().ToList()
                : [];
            if (names.Count == 0 && absent is { Count: > 0 })
            {
                // The missing name may join several glossary terms ("Canada AI Act" from 加拿大 + 人工智能法案): name it by
                // its parts' Chinese words in the question's order (加拿大人工智能法案), not by each part alone.
                var parts = t.Matched.Where(e => e.English.Length > 1 && absent.Any(a => a.Contains(e.English, StringComparison.OrdinalIgnoreCase))).ToList();
                if (parts.Count > 0)
                {
                    names = [string.Concat(parts.Select(e => t.Traditional ? e.Traditional : e.Simplified))];
                }
            }

            text.Append(t.Traditional ? "無法根據資料庫回答這個問題：" : "无法根据资料库回答这个问题：");
            if (names.Count > 0)
            {
                text.Append(t.Traditional ? "資料庫沒有關於" : "资料库没有关于").Append(string.Join("、", names.Select(n => $"「{n}」"))).Append(t.Traditional ? "的內容。" : "的内容。");
            }
            else
            {
                text.Append(t.Traditional ? "資料庫似乎沒有涵蓋這個問題。" : "资料库似乎没有涵盖这个问题。");
            }

            if (suggestions.Count > 0)
            {
                text.Append(t.Traditional ? "資料庫涵蓋的相近主題：" : "资料库涵盖的相近主题：").Append(string.Join("；", suggestions)).Append('。');
            }

            text.Append("\n(I can't answer that from the corpus: ").Append(reason).Append(".)");
        }
        else
        {
            text.Append("I can't answer that from the corpus: ").Append(reason).Append('.');
            if (suggestions.Count > 0)
            {
                text.Append(" Closest topics it does cover: ").Append(string.Join("; ", suggestions)).Append('.');
            }
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

    /// <summary>Which of the question's concepts a sentence's analysed terms mention.</summary>
    private static bool[] SentenceConcepts(ParsedQuery query, HashSet<string> stems)
    {
        var covered = new bool[query.ConceptIdf.Count];
        foreach (var term in query.Terms)
        {
            if (term.Concept >= 0 && stems.Contains(term.Term))
            {
                covered[term.Concept] = true;
            }
        }

        return covered;
    }

    /// <summary>IDF mass of the concepts marked.</summary>
    private static double Mass(ParsedQuery query, bool[] concepts)
    {
        var total = 0.0;
        for (var c = 0; c < concepts.Length; c++)
        {
            if (concepts[c])
            {
                total += query.ConceptIdf[c];
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
        ArgumentNullException.ThrowIfNull(sentence);
        return DisplayMemo.Get(sentence);
    }

    /// <summary>The same sentences and passages are displayed question after question (the regexes were a tenth of an answer's time).</summary>
    private static readonly BoundedMemo<string> DisplayMemo = new(ComputeDisplay, capacity: 8192);

    private static string ComputeDisplay(string sentence)
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
