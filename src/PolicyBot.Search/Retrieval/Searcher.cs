using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Lucene.Net.Util.Automaton;
using PolicyBot.Core.Searching;
using PolicyBot.Search.Analysis;
using PolicyBot.Search.Index;

namespace PolicyBot.Search.Retrieval;

/// <summary>
/// Ranks the passages of one index version for a question — the project's own ranking on Lucene's index, as
/// Anserini does it: BM25F over title/section/body read term-at-a-time from Lucene's postings
/// (<see cref="TermsEnum"/>/<see cref="DocsEnum"/>, reused per thread) into dense accumulators, exact field
/// lengths from the norms, question-word removal, synonyms, spelling correction on Lucene's term dictionary
/// (<see cref="FuzzyTermsEnum"/>), and selective RM3 feedback from the top passages' term vectors with a drift
/// guard. Thread-safe: per-thread scratch, immutable view.
/// </summary>
public sealed class Searcher : ISearcher
{
    /// <summary>Question terms past this many distinct ones are ignored (a 100 KB paste is not a query).</summary>
    public const int MaxQueryTerms = 64;

    private const int TitleField = 0;
    private const int SectionField = 1;
    private const int BodyField = 2;
    private const int AllField = 3;
    private static readonly string[] FieldNames = [IndexFields.Title, IndexFields.Section, IndexFields.Body, IndexFields.All];

    private readonly IndexView _view;
    private readonly Synonyms _synonyms;
    private readonly RankingOptions _options;
    private readonly float[] _normTitle;
    private readonly float[] _normSection;
    private readonly float[] _normBody;
    private readonly bool[] _isStopTerm;
    private readonly ThreadLocal<Scratch> _scratch;
    private readonly string[] _titles;
    private readonly Terms? _allTerms;
    private readonly PostingsCache _cache;

    public Searcher(IndexView view, Synonyms synonyms, RankingOptions options)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(synonyms);
        ArgumentNullException.ThrowIfNull(options);
        _view = view;
        _synonyms = synonyms;
        _options = options;
        var n = view.MaxDoc;
        _normTitle = new float[n];
        _normSection = new float[n];
        _normBody = new float[n];
        const double titleB = 0.3; // titles and headings are short and similar in length: mild normalisation
        for (var i = 0; i < n; i++)
        {
            if (!view.IsPassage[i])
            {
                continue;
            }

            _normTitle[i] = (float)(options.TitleWeight / (1 - titleB + (titleB * view.TitleLength[i] / view.AverageTitle)));
            _normSection[i] = (float)(options.SectionWeight / (1 - titleB + (titleB * view.SectionLength[i] / view.AverageSection)));
            _normBody[i] = (float)(options.BodyWeight / (1 - options.B + (options.B * view.BodyLength[i] / view.AverageBody)));
        }

        var stopStems = StopStems.Value;
        _isStopTerm = view.Terms.Select(stopStems.Contains).ToArray();
        var leaves = view.Leaves.Length;
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(n, view.TermCount, leaves));
        _titles = view.Documents.Select(d => d.Title).ToArray();
        _allTerms = view.Reader is null ? null : MultiFields.GetTerms(view.Reader, IndexFields.All);
        _cache = new PostingsCache(view.TermCount, n, options.TitleWeight > 0 && options.SectionWeight > 0 && options.BodyWeight > 0);
    }

    public SearchResult Search(string question, SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var query = Parse(question, options.Context);
        return new SearchResult(query, Search(query, options.Top));
    }

    public PassageInfo Passage(int passage) => _view.Passage(passage);

    public int PassageCount => _view.PassageCount;

    public int NextPassage(int passage) => _view.NextPassage(passage);

    public int PreviousPassage(int passage) => _view.PreviousPassage(passage);

    public int DocumentFrequency(string analysedTerm)
        => analysedTerm is not null && _view.TermIds.TryGetValue(analysedTerm, out var id) ? _view.DocumentFrequency(id) : 0;

    /// <summary>The composer analyses the same passage sentences question after question: their terms stay at hand (bounded).</summary>
    private readonly PolicyBot.Core.Text.BoundedMemo<string[]> _analyses = new(AnalyzeTerms, capacity: 8192, maxKeyLength: 4096);

    public IReadOnlyList<string> Analyze(string text) => _analyses.Get(text ?? "");

    private static string[] AnalyzeTerms(string text)
    {
        var tokens = TextAnalyzer.Default.Analyze(text);
        var terms = new string[tokens.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            terms[i] = tokens[i].Term;
        }

        return terms;
    }

    public IReadOnlyList<string> DocumentTitles => _titles;

    /// <summary>The index version this searcher reads.</summary>
    public IndexView View => _view;

    public RankingOptions Options => _options;

    private static readonly Lazy<HashSet<string>> StopStems = new(() =>
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in new[] { "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with", "what", "which", "who", "how", "when", "where", "why", "has", "have", "had", "been", "were", "from", "its", "than", "can", "also", "would", "should", "could", "may", "all", "other", "more", "most", "some" })
        {
            set.Add(TextAnalyzer.Default.Stem(w));
        }

        return set;
    });

    /// <summary>IDF as Lucene's BM25Similarity computes it.</summary>
    internal double Idf(int df)
    {
        var n = _view.PassageCount;
        return Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
    }

    /// <summary>Analyses the question: stop words out, spelling corrected, synonyms added.</summary>
    public ParsedQuery Parse(string question, string? context = null)
    {
        var parsed = Parse(question);
        if (parsed.IsEmpty || string.IsNullOrWhiteSpace(context))
        {
            return parsed;
        }

        var inQuery = new HashSet<string>(parsed.Terms.Select(t => t.Term), StringComparer.Ordinal);
        var extra = Parse(context);
        var terms = parsed.Terms.ToList();
        foreach (var t in extra.Terms)
        {
            if (t.TermId >= 0 && t.Origin == QueryTermOrigin.Question && inQuery.Add(t.Term) && terms.Count < MaxQueryTerms * 2)
            {
                terms.Add(t with { Weight = t.Weight * 0.5, Concept = -1, Origin = QueryTermOrigin.Context });
            }
        }

        return new ParsedQuery(parsed.Text, terms, parsed.ConceptIdf, parsed.ConceptWords, parsed.EmptyReason);
    }

    private ParsedQuery Parse(string question)
    {
        var surface = new List<string>();
        var tokens = TextAnalyzer.Default.Analyze(question, surface);
        var content = new List<string>();
        var contentWords = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!TextAnalyzer.IsStopWord(surface[i]))
            {
                content.Add(tokens[i].Term);
                contentWords.Add(surface[i]);
            }
        }

        if (tokens.Count == 0)
        {
            return new ParsedQuery(question, [], [], [], "the question has no words to search for");
        }

        if (content.Count == 0)
        {
            return new ParsedQuery(question, [], [], [], "the question has only common words (like 'what', 'is', 'the'); name the topic you are asking about");
        }

        var terms = new List<QueryTerm>();
        var conceptIdf = new List<double>();
        var conceptWords = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var maxIdf = Idf(0);
        for (var i = 0; i < content.Count && conceptIdf.Count < MaxQueryTerms; i++)
        {
            var term = content[i];
            if (index.TryGetValue(term, out var existing))
            {
                // A repeated word weighs more, as in Lucene's boolean query.
                terms[existing] = terms[existing] with { Weight = terms[existing].Weight + 1 };
                continue;
            }

            var concept = conceptIdf.Count;
            conceptWords.Add(contentWords[i]);
            var id = _view.TermIds.GetValueOrDefault(term, -1);
            var idf = id >= 0 ? Idf(_view.DocumentFrequency(id)) : maxIdf;
            conceptIdf.Add(idf);
            index[term] = terms.Count;
            terms.Add(new QueryTerm(term, id, 1, idf, concept, QueryTermOrigin.Question));
        }

        var idfOverride = new Dictionary<int, double>();

        // Spelling: an unknown word is replaced by the most frequent known term one or two edits away, or split into two known terms.
        var count = _options.CorrectSpelling ? terms.Count : 0;
        for (var i = 0; i < count; i++)
        {
            var t = terms[i];
            // The word as typed decides whether it is long enough to be a typo ("maping" stems to "mape").
            if (t.TermId >= 0 || conceptWords[t.Concept].Length < 5 || t.Term.Length < 3 || !t.Term.All(char.IsAsciiLetterLower))
            {
                continue;
            }

            if (IsStopWordTypo(conceptWords[t.Concept]))
            {
                // "shoud", "wht": a mistyped common word carries no topic.
                terms[i] = t with { Weight = 0 };
                idfOverride[t.Concept] = 0;
                continue;
            }

            foreach (var (fix, weight) in CachedCorrections(t.Term))
            {
                if (!index.ContainsKey(fix))
                {
                    var id = _view.TermIds[fix];
                    index[fix] = terms.Count;
                    terms.Add(new QueryTerm(fix, id, weight, Idf(_view.DocumentFrequency(id)), t.Concept, QueryTermOrigin.Correction));
                }
            }
        }

        // Synonyms: other names of a group whose name the question used.
        var merged = Enumerable.Range(0, conceptIdf.Count).ToArray();
        if (_synonyms.GroupCount > 0)
        {
            foreach (var (matched, name) in _synonyms.Expansions(content))
            {
                if (!index.TryGetValue(matched[0], out var matchedIndex))
                {
                    continue;
                }

                var concept = terms[matchedIndex].Concept;

                // The words of the matched name form one concept ("world ai cooperation organization"): another name covers them all.
                foreach (var word in matched)
                {
                    if (index.TryGetValue(word, out var wi))
                    {
                        var from = merged[terms[wi].Concept];
                        for (var m = 0; m < merged.Length; m++)
                        {
                            if (merged[m] == from)
                            {
                                merged[m] = merged[concept];
                            }
                        }
                    }
                }

                var share = _options.SynonymWeight / name.Length;
                foreach (var term in name)
                {
                    if (index.TryGetValue(term, out var existing))
                    {
                        continue;
                    }

                    var id = _view.TermIds.GetValueOrDefault(term, -1);
                    if (id < 0)
                    {
                        continue;
                    }

                    index[term] = terms.Count;
                    terms.Add(new QueryTerm(term, id, share, Idf(_view.DocumentFrequency(id)), concept, QueryTermOrigin.Synonym) { SameTerm = name.Length == 1 });
                }
            }
        }

        // A concept is "known" when any of its terms exists; its IDF is then that of its rarest known term. An
        // unknown everyday word ("attractive") weighs like an average term; an unknown topical word ("Peru") weighs most.
        var idfs = conceptIdf.ToArray();
        for (var c = 0; c < idfs.Length; c++)
        {
            var known = terms.Where(t => t.Concept == c && t.TermId >= 0).Select(t => t.Idf).DefaultIfEmpty(-1).Max();
            if (idfOverride.TryGetValue(c, out var overridden))
            {
                idfs[c] = overridden;
            }
            else if (known >= 0)
            {
                idfs[c] = known;
            }
            else if (GenericWords.IsGeneric(content[contentWords.IndexOf(conceptWords[c])]))
            {
                idfs[c] = maxIdf * 0.25;
            }
        }

        // Renumber merged concepts: each keeps the highest IDF of its members.
        var renumber = new Dictionary<int, int>();
        var finalIdf = new List<double>();
        var finalWords = new List<string>();
        for (var c = 0; c < idfs.Length; c++)
        {
            var root = merged[c];
            if (!renumber.TryGetValue(root, out var nc))
            {
                nc = finalIdf.Count;
                renumber[root] = nc;
                finalIdf.Add(idfs[c]);
                finalWords.Add(conceptWords[c]);
            }
            else
            {
                finalIdf[nc] = Math.Max(finalIdf[nc], idfs[c]);
                finalWords[nc] += " " + conceptWords[c];
            }
        }

        for (var i = 0; i < terms.Count; i++)
        {
            if (terms[i].Concept >= 0)
            {
                terms[i] = terms[i] with { Concept = renumber[merged[terms[i].Concept]] };
            }
        }

        return new ParsedQuery(question, terms, finalIdf.ToArray(), finalWords.ToArray(), null);
    }

    /// <summary>At most this many unknown words keep their corrections cached per index version.</summary>
    private const int MaxCachedCorrections = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Term, double Weight)[]> _corrections = new(StringComparer.Ordinal);

    /// <summary>Corrections walk Lucene's term dictionary with Levenshtein automata; each unknown word's result is cached for the view's life.</summary>
    private (string Term, double Weight)[] CachedCorrections(string word)
    {
        if (_corrections.TryGetValue(word, out var cached))
        {
            return cached;
        }

        var fixes = Corrections(word).ToArray();
        if (_corrections.Count < MaxCachedCorrections)
        {
            _corrections.TryAdd(word, fixes);
        }

        return fixes;
    }

    private IEnumerable<(string Term, double Weight)> Corrections(string word)
    {
        if (_allTerms is null)
        {
            yield break;
        }

        // The most frequent known term one edit away, else (for long words) two.
        var maxEdits = word.Length >= 8 ? 2 : 1;
        for (var edits = 1; edits <= maxEdits; edits++)
        {
            string? best = null;
            var bestDf = -1;
            foreach (var candidate in Fuzzy(word, edits))
            {
                var df = _view.DocumentFrequency(_view.TermIds[candidate]);
                if (df > bestDf || (df == bestDf && string.CompareOrdinal(candidate, best) < 0))
                {
                    best = candidate;
                    bestDf = df;
                }
            }

            if (best is not null)
            {
                yield return (best, edits == 1 ? 0.8 : 0.6);
                yield break;
            }
        }

        // A mistyped inflection: the longest known stem that a prefix of the word is at most one edit from ("organisaton" → "organis").
        for (var len = word.Length - 1; len >= 5; len--)
        {
            var prefix = word[..len];
            if (_view.TermIds.ContainsKey(prefix))
            {
                yield return (prefix, 0.6);
                yield break;
            }

            if (len < 7)
            {
                continue;
            }

            var match = Fuzzy(prefix, 1).Where(c => c.Length == len).Order(StringComparer.Ordinal).FirstOrDefault();
            if (match is not null)
            {
                yield return (match, 0.6);
                yield break;
            }
        }

        // Run-together words: "cohost" → "co" + "host".
        for (var split = 2; split <= word.Length - 2; split++)
        {
            var left = TextAnalyzer.Default.Stem(word[..split]);
            var right = TextAnalyzer.Default.Stem(word[split..]);
            if (_view.TermIds.TryGetValue(left, out var l) && _view.TermIds.TryGetValue(right, out var r) && !_isStopTerm[l] && !_isStopTerm[r])
            {
                yield return (left, 0.7);
                yield return (right, 0.7);
                yield break;
            }
        }
    }

    /// <summary>Known terms within <paramref name="edits"/> edits of <paramref name="word"/> (no transpositions), from Lucene's term dictionary.</summary>
    private List<string> Fuzzy(string word, int edits)
    {
        var result = new List<string>();
        var fuzzy = new FuzzyTermsEnum(_allTerms, new AttributeSource(), new Term(IndexFields.All, word), edits, 0, false);
        while (fuzzy.MoveNext())
        {
            var candidate = fuzzy.Term.Utf8ToString();
            if (!string.Equals(candidate, word, StringComparison.Ordinal) && _view.TermIds.ContainsKey(candidate))
            {
                result.Add(candidate);
            }
        }

        return result;
    }

    /// <summary>Every word one edit from a stop word of four letters or more, as one automaton ("shoud", "waht").</summary>
    private static readonly Lazy<CharacterRunAutomaton> StopWordTypos = new(() =>
    {
        var automata = TextAnalyzer.StopWordList.Where(w => w.Length >= 4).Select(w => new LevenshteinAutomata(w, false).ToAutomaton(1)).ToList();
        return new CharacterRunAutomaton(BasicOperations.Union(automata));
    });

    private static bool IsStopWordTypo(string word) => word.Length >= 4 && StopWordTypos.Value.Run(word);

    /// <summary>The best <paramref name="top"/> passages, best first (ties: lower passage id first).</summary>
    public IReadOnlyList<SearchHit> Search(ParsedQuery query, int top) => Rank(query, top).Hits;

    /// <summary>The ranking and the terms that scored it (the question's, or the feedback-expanded query's).</summary>
    private (List<SearchHit> Hits, IReadOnlyList<QueryTerm> Terms) Rank(ParsedQuery query, int top)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.IsEmpty || _view.PassageCount == 0 || top <= 0)
        {
            return ([], query.Terms);
        }

        var scratch = _scratch.Value!;
        // The ranking is a total order (score, then passage id), so the best `top` of a deeper list are the best
        // `top`: only feedback needs more (its documents), and every other candidate costs heap work for nothing.
        var depth = Math.Max(top, _options.FeedbackDocuments);
        var terms = query.Terms;
        var hits = FirstStage(terms, scratch, depth);
        if (hits.Count == 0)
        {
            return (hits, terms);
        }

        // Selective pseudo-relevance feedback: only when the best passage misses part of the question, and only
        // kept when the expanded query's best passage still covers as much of the question (no query drift).
        double before;
        if (_options.FeedbackDocuments > 0 && (before = CoverageShare(query, hits[0].Passage)) < _options.FeedbackBelowCoverage)
        {
            var expanded = Feedback(query.Terms, hits, scratch);
            if (expanded.Count > query.Terms.Count)
            {
                var fed = FirstStage(expanded, scratch, depth);
                if (fed.Count > 0 && CoverageShare(query, fed[0].Passage) >= before)
                {
                    hits = fed;
                    terms = expanded;
                }
            }
        }

        if (hits.Count > top)
        {
            hits.RemoveRange(top, hits.Count - top);
        }

        return (hits, terms);
    }

    private List<SearchHit> FirstStage(IReadOnlyList<QueryTerm> terms, Scratch scratch, int depth)
    {
        var scores = scratch.Scores;
        var touched = scratch.Touched;
        var tf = scratch.Tf;
        var tfTouched = scratch.TfTouched;
        var k1 = (float)_options.K1;
        touched.Clear();
        var n = _view.PassageCount;
        var maxDf = _options.MaxDocumentFrequencyRatio >= 1 ? int.MaxValue : (int)(_options.MaxDocumentFrequencyRatio * n);
        foreach (var unit in Units(terms, maxDf))
        {
            var w = unit.Weight;
            if (unit.Members.Length == 1)
            {
                // BM25F: the field-weighted, length-normalised frequencies add up before saturation.
                var termId = terms[unit.Members[0]].TermId;
                var impacts = Impacts(termId, scratch);
                if (impacts is not null)
                {
                    var docs = impacts.Docs;
                    var tfs = impacts.Tf;
                    for (var i = 0; i < docs.Length; i++)
                    {
                        var p = docs[i];
                        var t = tfs[i];
                        var old = scores[p];
                        if (old == 0)
                        {
                            touched.Add(p);
                        }

                        scores[p] = old + (w * t / (t + k1));
                    }

                    continue;
                }

                AccumulateTf(termId, scratch);
            }
            else
            {
                // A word and its one-word synonyms add up as one term before saturation (a passage saying "budget"
                // and "funded" is not counted twice). Each cached list is read with the scratch clean, then summed.
                var lists = new PostingsCache.ImpactList?[unit.Members.Length];
                for (var m = 0; m < lists.Length; m++)
                {
                    lists[m] = Impacts(terms[unit.Members[m]].TermId, scratch);
                }

                for (var m = 0; m < lists.Length; m++)
                {
                    if (lists[m] is null)
                    {
                        AccumulateTf(terms[unit.Members[m]].TermId, scratch);
                    }
                }

                foreach (var list in lists)
                {
                    if (list is null)
                    {
                        continue;
                    }

                    for (var i = 0; i < list.Docs.Length; i++)
                    {
                        var p = list.Docs[i];
                        if (tf[p] == 0)
                        {
                            tfTouched.Add(p);
                        }

                        tf[p] += list.Tf[i];
                    }
                }
            }

            foreach (var p in tfTouched)
            {
                var t = tf[p];
                tf[p] = 0;
                var old = scores[p];
                if (old == 0)
                {
                    touched.Add(p);
                }

                scores[p] = old + (w * t / (t + k1));
            }

            tfTouched.Clear();
        }

        var result = TopK(scores, touched, depth, scratch);
        foreach (var p in touched)
        {
            scores[p] = 0;
        }

        return result;
    }

    /// <summary>One scored unit of a query: a term, or a question word with its one-word synonyms, and its weight.</summary>
    private readonly record struct ScoredUnit(int[] Members, float Weight);

    /// <summary>
    /// The query's scoring units: every known term alone, except that a question word and its one-word synonyms
    /// ("fund" and "funding", "budget") form one unit weighted as the question word (the synonyms' IDF when the word
    /// itself is unknown), like Lucene's SynonymQuery; multi-word synonyms, corrections and feedback terms stay alone.
    /// </summary>
    private List<ScoredUnit> Units(IReadOnlyList<QueryTerm> terms, int maxDf)
    {
        var units = new List<ScoredUnit>(terms.Count);
        var grouped = new bool[terms.Count];
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            if (grouped[i] || (term.TermId >= 0 && _view.DocumentFrequency(term.TermId) > maxDf && term.Origin != QueryTermOrigin.Question))
            {
                continue;
            }

            if (HasOneWordSynonyms(terms, term))
            {
                var members = new List<int>();
                var idf = term.TermId >= 0 ? term.Idf : 0;
                if (term.TermId >= 0)
                {
                    members.Add(i);
                }

                for (var j = 0; j < terms.Count; j++)
                {
                    if (IsOneWordSynonymOf(terms[j], term) && terms[j].TermId >= 0 && _view.DocumentFrequency(terms[j].TermId) <= maxDf)
                    {
                        grouped[j] = true;
                        members.Add(j);
                        if (term.TermId < 0)
                        {
                            idf = Math.Max(idf, terms[j].Idf);
                        }
                    }
                }

                var gw = (float)(term.Weight * idf);
                if (members.Count > 0 && gw > 0)
                {
                    units.Add(new ScoredUnit(members.ToArray(), gw));
                }

                continue;
            }

            var w = (float)(term.Weight * term.Idf);
            if (term.TermId >= 0 && w > 0)
            {
                units.Add(new ScoredUnit([i], w));
            }
        }

        return units;
    }

    /// <summary>Whether <paramref name="term"/> is a one-word synonym (its whole share) of <paramref name="question"/>'s concept.</summary>
    private static bool IsOneWordSynonymOf(QueryTerm term, QueryTerm question)
        => term.Origin == QueryTermOrigin.Synonym && term.SameTerm && term.Concept == question.Concept;

    /// <summary>Whether a question word is its concept's only one and has one-word synonyms (they then score as one unit with it).</summary>
    private static bool HasOneWordSynonyms(IReadOnlyList<QueryTerm> terms, QueryTerm question)
    {
        if (question.Origin != QueryTermOrigin.Question || question.Concept < 0 || !OnlyQuestionWord(terms, question))
        {
            return false;
        }

        foreach (var t in terms)
        {
            if (IsOneWordSynonymOf(t, question))
            {
                return true;
            }
        }

        return false;
    }

    private static bool OnlyQuestionWord(IReadOnlyList<QueryTerm> terms, QueryTerm question)
    {
        foreach (var t in terms)
        {
            if (t.Concept == question.Concept && t.Origin == QueryTermOrigin.Question && !ReferenceEquals(t, question))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The term's BM25F frequencies (title, heading and body merged, field-weighted and length-normalised) as two
    /// flat arrays in passage order, read from Lucene's postings once per index version and kept while the cache's
    /// budget lasts; null past it (the caller then reads the postings into the scratch, as for the first read).
    /// The values are those <see cref="AccumulateTf"/> adds up, so scores do not depend on the cache.
    /// </summary>
    private PostingsCache.ImpactList? Impacts(int termId, Scratch scratch)
    {
        var cached = _cache.Impacts(termId);
        if (cached is not null || !_cache.HasRoomForImpacts)
        {
            return cached;
        }

        AccumulateTf(termId, scratch);
        var tf = scratch.Tf;
        var touched = scratch.TfTouched;
        touched.Sort();
        var docs = touched.ToArray();
        var tfs = new float[docs.Length];
        for (var i = 0; i < docs.Length; i++)
        {
            tfs[i] = tf[docs[i]];
            tf[docs[i]] = 0;
        }

        touched.Clear();
        return _cache.AddImpacts(termId, new PostingsCache.ImpactList(docs, tfs));
    }

    /// <summary>Adds every passage's field-weighted, normalised frequency of a term into the scratch (and lists the passages touched).</summary>
    private void AccumulateTf(int termId, Scratch scratch)
    {
        var tf = scratch.Tf;
        var tfTouched = scratch.TfTouched;
        var key = scratch.Key(_view.TermBytes[termId]);
        var leaves = _view.Leaves;
        for (var li = 0; li < leaves.Length; li++)
        {
            var docBase = leaves[li].DocBase;
            var live = leaves[li].AtomicReader.LiveDocs;
            for (var f = TitleField; f <= BodyField; f++)
            {
                var norm = f == TitleField ? _normTitle : f == SectionField ? _normSection : _normBody;
                var docs = Postings(scratch, li, f, key, live, DocsFlags.FREQS);
                if (docs is null)
                {
                    continue;
                }

                int d;
                while ((d = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    var g = docBase + d;
                    var add = docs.Freq * norm[g];
                    if (add <= 0)
                    {
                        continue;
                    }

                    if (tf[g] == 0)
                    {
                        tfTouched.Add(g);
                    }

                    tf[g] += add;
                }
            }
        }
    }

    /// <summary>The postings of the key term in one field of one segment, reusing the thread's enums; null when absent.</summary>
    private DocsEnum? Postings(Scratch scratch, int leaf, int field, BytesRef key, IBits? live, DocsFlags flags)
    {
        var slot = (leaf * FieldNames.Length) + field;
        if (!scratch.Fetched[slot])
        {
            scratch.Enums[slot] = _view.Leaves[leaf].AtomicReader.GetTerms(FieldNames[field])?.GetEnumerator();
            scratch.Fetched[slot] = true;
        }

        var te = scratch.Enums[slot];
        if (te is null || !te.SeekExact(key))
        {
            return null;
        }

        var docs = te.Docs(live, scratch.Docs[slot], flags);
        scratch.Docs[slot] = docs;
        return docs;
    }

    private static List<SearchHit> TopK(float[] scores, List<int> touched, int k, Scratch scratch)
    {
        // Min-heap of the best k by (score desc, passage asc), in the thread's array.
        var heap = scratch.Heap(k);
        var count = 0;
        foreach (var p in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(touched))
        {
            var score = scores[p];
            if (count < k)
            {
                heap[count] = new SearchHit(p, score);
                SiftUp(heap, count);
                count++;
            }
            else if (score > heap[0].Score || (score == heap[0].Score && p < heap[0].Passage))
            {
                heap[0] = new SearchHit(p, score);
                SiftDown(heap, 0, count);
            }
        }

        var best = heap.AsSpan(0, count);
        best.Sort(static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        var result = new List<SearchHit>(count);
        foreach (var hit in best)
        {
            result.Add(hit);
        }

        return result;
    }

    private static bool Better(SearchHit a, SearchHit b) => a.Score > b.Score || (a.Score == b.Score && a.Passage < b.Passage);

    private static void SiftUp(SearchHit[] h, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Better(h[parent], h[i]))
            {
                break;
            }

            (h[parent], h[i]) = (h[i], h[parent]);
            i = parent;
        }
    }

    private static void SiftDown(SearchHit[] h, int i, int count)
    {
        while (true)
        {
            var l = (2 * i) + 1;
            var r = l + 1;
            var worst = i;
            if (l < count && Better(h[worst], h[l]))
            {
                worst = l;
            }

            if (r < count && Better(h[worst], h[r]))
            {
                worst = r;
            }

            if (worst == i)
            {
                return;
            }

            (h[worst], h[i]) = (h[i], h[worst]);
            i = worst;
        }
    }

    /// <summary>
    /// RM3-style feedback: the top passages' term distributions (read from their body term vectors), weighted by
    /// their scores, add new terms (each weighted by its relevance-model probability times its IDF), interpolated
    /// with the original query. Per-term accumulators live in the thread's scratch.
    /// </summary>
    private IReadOnlyList<QueryTerm> Feedback(IReadOnlyList<QueryTerm> terms, List<SearchHit> hits, Scratch scratch)
    {
        var fbDocs = Math.Min(_options.FeedbackDocuments, hits.Count);
        var reader = _view.Reader;
        if (fbDocs <= 0 || _options.FeedbackTerms <= 0 || reader is null)
        {
            return terms;
        }

        var weights = scratch.TermWeight;
        var seen = scratch.TermTouched;
        seen.Clear();
        var slot = scratch.TermSlot;
        foreach (var t in terms)
        {
            if (t.TermId >= 0)
            {
                slot[t.TermId] = -1; // in the query already
            }
        }

        var max = hits[0].Score;
        var total = 0.0;
        for (var i = 0; i < fbDocs; i++)
        {
            var passage = hits[i].Passage;
            var length = _view.BodyLength[passage];
            var forward = length == 0 ? null : Forward(passage, reader, scratch);
            if (forward is null)
            {
                continue;
            }

            var docWeight = Math.Exp(hits[i].Score - max);
            total += docWeight;
            var share = docWeight / length;
            for (var j = 0; j < forward.Length; j += 2)
            {
                var id = forward[j];
                if (_isStopTerm[id] || slot[id] == -1)
                {
                    continue;
                }

                if (weights[id] == 0)
                {
                    seen.Add(id);
                }

                weights[id] += share * forward[j + 1];
            }
        }

        var n = _view.PassageCount;
        var top = _options.FeedbackTerms;
        var candidates = new List<(int Id, double W)>(top + 1);
        foreach (var id in seen)
        {
            var df = _view.DocumentFrequency(id);
            if (df >= 2 && df < n / 2)
            {
                var w = weights[id] / total * Idf(df);
                if (candidates.Count < top || w > candidates[^1].W || (w == candidates[^1].W && id < candidates[^1].Id))
                {
                    var at = candidates.Count;
                    while (at > 0 && (candidates[at - 1].W < w || (candidates[at - 1].W == w && candidates[at - 1].Id > id)))
                    {
                        at--;
                    }

                    candidates.Insert(at, (id, w));
                    if (candidates.Count > top)
                    {
                        candidates.RemoveAt(top);
                    }
                }
            }

            weights[id] = 0;
        }

        foreach (var t in terms)
        {
            if (t.TermId >= 0)
            {
                slot[t.TermId] = 0;
            }
        }

        if (candidates.Count == 0)
        {
            return terms;
        }

        var originalMass = 0.0;
        foreach (var t in terms)
        {
            originalMass += t.Weight;
        }

        var fbMass = 0.0;
        foreach (var c in candidates)
        {
            fbMass += c.W;
        }

        var alpha = _options.FeedbackWeight;
        var expanded = new List<QueryTerm>(terms.Count + candidates.Count);
        foreach (var t in terms)
        {
            expanded.Add(t with { Weight = t.Weight * (1 - alpha) });
        }

        foreach (var (id, w) in candidates)
        {
            expanded.Add(new QueryTerm(_view.Terms[id], id, alpha * originalMass * w / fbMass, Idf(_view.DocumentFrequency(id)), -1, QueryTermOrigin.Feedback));
        }

        return expanded;
    }

    /// <summary>
    /// A passage's body terms as (term id, frequency) pairs in the term vector's order, read from its Lucene term
    /// vector once per index version and kept while the cache's budget lasts (a term vector read decompresses a
    /// block and decodes every term: it cost most of the feedback's time). Null without a vector.
    /// </summary>
    private int[]? Forward(int passage, IndexReader reader, Scratch scratch)
    {
        var cached = _cache.Forward(passage);
        if (cached is not null)
        {
            return cached;
        }

        var vector = reader.GetTermVector(passage, IndexFields.Body);
        if (vector is null)
        {
            return null;
        }

        var pairs = scratch.Pairs;
        pairs.Clear();
        scratch.Vector = vector.GetEnumerator(scratch.Vector);
        var te = scratch.Vector;
        while (te.MoveNext())
        {
            var id = _view.TermId(te.Term, scratch.Chars);
            if (id >= 0)
            {
                pairs.Add(id);
                pairs.Add((int)te.TotalTermFreq);
            }
        }

        return _cache.AddForward(passage, pairs.ToArray());
    }

    /// <summary>
    /// Per-term contributions to a passage's score — of the terms that ranked it (feedback terms included when
    /// feedback was kept) — that add up to the score <see cref="Search(ParsedQuery, int)"/> gives it.
    /// </summary>
    public IReadOnlyList<TermContribution> Explain(ParsedQuery query, int passage)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (_, terms) = Rank(query, Math.Max(1, _options.RerankDepth));
        var result = new List<TermContribution>();
        var scratch = _scratch.Value!;
        var k1 = (float)_options.K1;
        foreach (var term in terms)
        {
            if (term.TermId < 0 && !HasOneWordSynonyms(terms, term))
            {
                result.Add(new TermContribution(term.Term + " (not in corpus)", 0));
            }
        }

        foreach (var unit in Units(terms, int.MaxValue))
        {
            var t = 0f;
            foreach (var member in unit.Members)
            {
                t += TfIn(terms[member].TermId, passage, scratch);
            }

            if (t > 0)
            {
                var head = terms[unit.Members[0]];
                var label = head.Origin == QueryTermOrigin.Question ? head.Term : $"{head.Term} ({head.Origin.ToString().ToLowerInvariant()})";
                if (unit.Members.Length > 1)
                {
                    label += " + " + string.Join(", ", unit.Members.Skip(1).Select(m => terms[m].Term)) + " (synonyms)";
                }

                result.Add(new TermContribution(label, unit.Weight * t / (t + k1)));
            }
        }

        return result;
    }

    /// <summary>The field-weighted, normalised frequency of one term in one passage.</summary>
    private float TfIn(int termId, int passage, Scratch scratch)
    {
        var li = ReaderUtil.SubIndex(passage, _view.Leaves);
        var local = passage - _view.Leaves[li].DocBase;
        var key = scratch.Key(_view.TermBytes[termId]);
        var live = _view.Leaves[li].AtomicReader.LiveDocs;
        var t = 0f;
        for (var f = TitleField; f <= BodyField; f++)
        {
            var docs = Postings(scratch, li, f, key, live, DocsFlags.FREQS);
            if (docs is not null && docs.Advance(local) == local)
            {
                var norm = f == TitleField ? _normTitle : f == SectionField ? _normSection : _normBody;
                t += docs.Freq * norm[passage];
            }
        }

        return t;
    }

    private bool Contains(int termId, int passage)
    {
        if (termId < 0 || passage < 0 || passage >= _view.MaxDoc)
        {
            return false;
        }

        if (_cache.CoversAllField && _cache.Impacts(termId) is { } impacts)
        {
            // Every field weighs, so the merged BM25F postings list exactly the passages whose `all` field has the term.
            return Array.BinarySearch(impacts.Docs, passage) >= 0;
        }

        var scratch = _scratch.Value!;
        var li = ReaderUtil.SubIndex(passage, _view.Leaves);
        var local = passage - _view.Leaves[li].DocBase;
        var docs = Postings(scratch, li, AllField, scratch.Key(_view.TermBytes[termId]), _view.Leaves[li].AtomicReader.LiveDocs, DocsFlags.NONE);
        return docs is not null && docs.Advance(local) == local;
    }

    /// <summary>Which concepts of the query a passage contains (any of a concept's terms in any field).</summary>
    internal bool[] Covered(ParsedQuery query, int passage) => Cover(query, passage).Covered;

    public PassageCoverage Coverage(ParsedQuery query, int passage)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (covered, share) = Cover(query, passage);
        return new PassageCoverage(covered, share);
    }

    /// <summary>Share of the question's IDF mass a passage covers (0–1): the abstention signal.</summary>
    internal double CoverageShare(ParsedQuery query, int passage) => Cover(query, passage).Share;

    /// <summary>
    /// The concepts a passage covers and the IDF-weighted share they make; a concept covered only through a
    /// spelling correction counts half (a guessed spelling is weaker evidence than the word itself). Each term is
    /// looked up in the passage once.
    /// </summary>
    private (bool[] Covered, double Share) Cover(ParsedQuery query, int passage)
    {
        var concepts = query.ConceptIdf.Count;
        var covered = new bool[concepts];
        var byWord = new bool[concepts];
        foreach (var term in query.Terms)
        {
            if (term.Concept < 0 || !Contains(term.TermId, passage))
            {
                continue;
            }

            if (term.Weight > 0)
            {
                covered[term.Concept] = true;
            }

            if (term.Origin != QueryTermOrigin.Correction)
            {
                byWord[term.Concept] = true;
            }
        }

        double total = 0, got = 0;
        for (var c = 0; c < concepts; c++)
        {
            total += query.ConceptIdf[c];
            if (covered[c])
            {
                got += query.ConceptIdf[c] * (byWord[c] ? 1.0 : 0.5);
            }
        }

        return (covered, total <= 0 ? 0 : got / total);
    }

    internal bool IsStopTerm(int termId) => _isStopTerm[termId];

    /// <summary>One thread's buffers: accumulators over the passage ids, per-term slots, and reusable Lucene enums.</summary>
    private sealed class Scratch(int passages, int terms, int leaves)
    {
        private readonly BytesRef _key = new();

        public float[] Scores { get; } = new float[passages];

        public List<int> Touched { get; } = new(1024);

        public float[] Tf { get; } = new float[passages];

        public List<int> TfTouched { get; } = new(1024);

        public int[] TermSlot { get; } = new int[terms];

        public double[] TermWeight { get; } = new double[terms];

        public List<int> TermTouched { get; } = new(256);

        public TermsEnum?[] Enums { get; } = new TermsEnum?[leaves * FieldNames.Length];

        public DocsEnum?[] Docs { get; } = new DocsEnum?[leaves * FieldNames.Length];

        public bool[] Fetched { get; } = new bool[leaves * FieldNames.Length];

        public TermsEnum? Vector { get; set; }

        private SearchHit[] _heap = new SearchHit[16];

        /// <summary>Room for a heap of <paramref name="k"/> hits.</summary>
        public SearchHit[] Heap(int k)
        {
            if (_heap.Length < k)
            {
                _heap = new SearchHit[k];
            }

            return _heap;
        }

        /// <summary>A term vector read as (term id, frequency) pairs.</summary>
        public List<int> Pairs { get; } = new(512);

        /// <summary>UTF-16 room for any term (tokens are at most 40 characters; a UTF-8 byte is at most one char).</summary>
        public char[] Chars { get; } = new char[1024];

        public BytesRef Key(byte[] bytes)
        {
            _key.Bytes = bytes;
            _key.Offset = 0;
            _key.Length = bytes.Length;
            return _key;
        }
    }
}
