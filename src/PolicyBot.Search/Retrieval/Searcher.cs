using PolicyBot.Core.Searching;
using PolicyBot.Search.Analysis;

namespace PolicyBot.Search.Retrieval;

/// <summary>
/// Ranks passages of a snapshot for a question: BM25F over title/section/body with term-at-a-time scoring on
/// dense accumulators, then a proximity bonus and optional pseudo-relevance feedback on the top candidates.
/// Thread-safe: per-thread scratch buffers, immutable snapshot.
/// </summary>
public sealed class Searcher : ISearcher
{
    /// <summary>Question terms past this many distinct ones are ignored (a 100 KB paste is not a query).</summary>
    public const int MaxQueryTerms = 64;

    private readonly IndexSnapshot _snapshot;
    private readonly Synonyms _synonyms;
    private readonly RankingOptions _options;
    private readonly float[] _normTitle;
    private readonly float[] _normSection;
    private readonly float[] _normBody;
    private readonly bool[] _isStopTerm;
    private readonly ThreadLocal<Scratch> _scratch;
    private readonly string[] _titles;

    // A flat copy of the postings: per term, the passages and each one's length-normalised, field-weighted BM25F
    // term frequency precomputed (the norms are fixed for a searcher), so the first stage reads two dense arrays
    // per term instead of three norm tables at random.
    private readonly int[][] _postPassage;
    private readonly float[][] _postTf;

    public Searcher(IndexSnapshot snapshot, Synonyms synonyms, RankingOptions options)
    {
        _snapshot = snapshot;
        _synonyms = synonyms;
        _options = options;
        var n = snapshot.Passages.Length;
        _normTitle = new float[n];
        _normSection = new float[n];
        _normBody = new float[n];
        const double titleB = 0.3; // titles and headings are short and similar in length: mild normalisation
        for (var i = 0; i < n; i++)
        {
            var p = snapshot.Passages[i];
            _normTitle[i] = (float)(options.TitleWeight / (1 - titleB + (titleB * p.TitleLength / snapshot.AverageTitle)));
            _normSection[i] = (float)(options.SectionWeight / (1 - titleB + (titleB * p.SectionLength / snapshot.AverageSection)));
            _normBody[i] = (float)(options.BodyWeight / (1 - options.B + (options.B * p.Body.Length / snapshot.AverageBody)));
        }

        var stopStems = StopStems.Value;
        _isStopTerm = snapshot.Terms.Select(stopStems.Contains).ToArray();
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(n, snapshot.Terms.Length));
        _titles = snapshot.Documents.Select(d => d.Title).ToArray();
        var termCount = snapshot.Postings.Length;
        _postPassage = new int[termCount][];
        _postTf = new float[termCount][];
        for (var t = 0; t < termCount; t++)
        {
            var postings = snapshot.Postings[t];
            var passages = new int[postings.Length];
            var impacts = new float[postings.Length];
            for (var i = 0; i < postings.Length; i++)
            {
                var q = postings[i];
                var tf = (q.Title * _normTitle[q.Passage]) + (q.Section * _normSection[q.Passage]) + (q.Body * _normBody[q.Passage]);
                passages[i] = q.Passage;
                impacts[i] = tf;
            }

            _postPassage[t] = passages;
            _postTf[t] = impacts;
        }
    }


    public SearchResult Search(string question, SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var query = Parse(question, options.Context);
        return new SearchResult(query, Search(query, options.Top));
    }

    public PassageInfo Passage(int passage)
    {
        var p = _snapshot.Passages[passage];
        var d = _snapshot.Documents[p.Document];
        return new PassageInfo(
            passage,
            d.Path,
            p.Ordinal,
            d.Title,
            p.Section,
            d.Text.Substring(p.Start, p.Length),
            p.Start,
            p.Length,
            new DocumentFrontMatter(d.Source, d.Authors, d.Published, d.Kind, d.Jurisdictions, d.Topics));
    }

    public int PassageCount => _snapshot.PassageCount;

    public int DocumentFrequency(string analysedTerm)
        => analysedTerm is not null && _snapshot.TermIds.TryGetValue(analysedTerm, out var id) ? _snapshot.DocumentFrequency(id) : 0;

    public IReadOnlyList<string> Analyze(string text)
    {
        var terms = new List<string>();
        foreach (var t in TextAnalyzer.Default.Analyze(text ?? ""))
        {
            terms.Add(t.Term);
        }

        return terms;
    }

    public IReadOnlyList<string> DocumentTitles => _titles;

    public IndexSnapshot Snapshot => _snapshot;

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
        var n = _snapshot.Passages.Length;
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
            var id = _snapshot.TermIds.GetValueOrDefault(term, -1);
            var idf = id >= 0 ? Idf(_snapshot.DocumentFrequency(id)) : maxIdf;
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
            if (t.TermId >= 0 || t.Term.Length < 5 || !t.Term.All(char.IsAsciiLetterLower))
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
                    var id = _snapshot.TermIds[fix];
                    index[fix] = terms.Count;
                    terms.Add(new QueryTerm(fix, id, weight, Idf(_snapshot.DocumentFrequency(id)), t.Concept, QueryTermOrigin.Correction));
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

                    var id = _snapshot.TermIds.GetValueOrDefault(term, -1);
                    if (id < 0)
                    {
                        continue;
                    }

                    index[term] = terms.Count;
                    terms.Add(new QueryTerm(term, id, share, Idf(_snapshot.DocumentFrequency(id)), concept, QueryTermOrigin.Synonym));
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

    /// <summary>At most this many unknown words keep their corrections cached per snapshot.</summary>
    private const int MaxCachedCorrections = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Term, double Weight)[]> _corrections = new(StringComparer.Ordinal);

    /// <summary>
    /// Corrections scan the vocabulary by length with a bounded edit distance — the one part of parsing whose
    /// cost grows with the vocabulary — so the result for each unknown word is cached for the snapshot's life.
    /// </summary>
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
        var maxEdits = word.Length >= 8 ? 2 : 1;
        string? best = null;
        var bestDistance = int.MaxValue;
        var bestDf = -1;
        var buckets = _snapshot.TermLengthBuckets;
        for (var len = Math.Max(1, word.Length - maxEdits); len <= Math.Min(buckets.Length - 1, word.Length + maxEdits); len++)
        {
            foreach (var id in buckets[len])
            {
                var candidate = _snapshot.Terms[id];
                var d = BoundedEditDistance(word, candidate, maxEdits);
                if (d > maxEdits)
                {
                    continue;
                }

                var df = _snapshot.DocumentFrequency(id);
                if (d < bestDistance || (d == bestDistance && (df > bestDf || (df == bestDf && string.CompareOrdinal(candidate, best) < 0))))
                {
                    best = candidate;
                    bestDistance = d;
                    bestDf = df;
                }
            }
        }

        if (best is not null)
        {
            yield return (best, bestDistance == 1 ? 0.8 : 0.6);
            yield break;
        }

        // A mistyped inflection: the longest known stem that a prefix of the word is at most one edit from ("organisaton" → "organis").
        for (var len = word.Length - 1; len >= 5; len--)
        {
            var prefix = word[..len];
            foreach (var id in buckets[Math.Min(len, buckets.Length - 1)])
            {
                if (BoundedEditDistance(prefix, _snapshot.Terms[id], 1) <= (len >= 7 ? 1 : 0))
                {
                    yield return (_snapshot.Terms[id], 0.6);
                    yield break;
                }
            }
        }

        // Run-together words: "cohost" → "co" + "host".
        for (var split = 2; split <= word.Length - 2; split++)
        {
            var left = TextAnalyzer.Default.Stem(word[..split]);
            var right = TextAnalyzer.Default.Stem(word[split..]);
            if (_snapshot.TermIds.ContainsKey(left) && _snapshot.TermIds.ContainsKey(right) && !_isStopTerm[_snapshot.TermIds[left]] && !_isStopTerm[_snapshot.TermIds[right]])
            {
                yield return (left, 0.7);
                yield return (right, 0.7);
                yield break;
            }
        }
    }

    private static readonly Lazy<string[]> StopWordList = new(() => TextAnalyzer.StopWordList.Where(w => w.Length >= 3).ToArray());

    /// <summary>A word one edit from a stop word of four letters or more ("shoud", "waht").</summary>
    private static bool IsStopWordTypo(string word)
    {
        if (word.Length < 4)
        {
            return false;
        }

        foreach (var stop in StopWordList.Value)
        {
            if (stop.Length >= 4 && BoundedEditDistance(word, stop, 1) <= 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Damerau-free Levenshtein distance with an early exit above <paramref name="max"/>.</summary>
    internal static int BoundedEditDistance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }

        Span<int> prev = stackalloc int[b.Length + 1];
        Span<int> cur = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                rowMin = Math.Min(rowMin, cur[j]);
            }

            if (rowMin > max)
            {
                return max + 1;
            }

            var tmp = prev;
            prev = cur;
            cur = tmp;
        }

        return prev[b.Length];
    }

    /// <summary>The best <paramref name="top"/> passages, best first (ties: lower passage index first).</summary>
    public IReadOnlyList<SearchHit> Search(ParsedQuery query, int top)
    {
        if (query.IsEmpty || _snapshot.Passages.Length == 0 || top <= 0)
        {
            return [];
        }

        var scratch = _scratch.Value!;
        var depth = Math.Max(top, _options.RerankDepth);
        var hits = FirstStage(query.Terms, scratch, depth);
        if (hits.Count == 0)
        {
            return hits;
        }

        if (_options.ProximityWeight > 0)
        {
            ApplyProximity(query.Terms, hits, scratch);
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
                if (_options.ProximityWeight > 0)
                {
                    ApplyProximity(query.Terms, fed, scratch);
                }

                if (fed.Count > 0 && CoverageShare(query, fed[0].Passage) >= before)
                {
                    hits = fed;
                }
            }
        }

        if (hits.Count > top)
        {
            hits.RemoveRange(top, hits.Count - top);
        }

        return hits;
    }

    private List<SearchHit> FirstStage(IReadOnlyList<QueryTerm> terms, Scratch scratch, int depth)
    {
        var scores = scratch.Scores;
        var touched = scratch.Touched;
        var k1 = (float)_options.K1;
        touched.Clear();
        var n = _snapshot.Passages.Length;
        var maxDf = _options.MaxDocumentFrequencyRatio >= 1 ? int.MaxValue : (int)(_options.MaxDocumentFrequencyRatio * n);
        foreach (var term in terms)
        {
            if (term.TermId < 0)
            {
                continue;
            }

            var passages = _postPassage[term.TermId];
            if (passages.Length > maxDf && term.Origin != QueryTermOrigin.Question)
            {
                continue;
            }

            var w = (float)(term.Weight * term.Idf);
            if (!(w > 0))
            {
                continue;
            }

            var impacts = _postTf[term.TermId];
            for (var i = 0; i < passages.Length; i++)
            {
                var p = passages[i];
                var old = scores[p];
                if (old == 0)
                {
                    touched.Add(p);
                }

                var tf = impacts[i];
                scores[p] = old + (w * tf / (tf + k1));
            }
        }

        var result = TopK(scores, touched, depth);
        foreach (var p in touched)
        {
            scores[p] = 0;
        }

        return result;
    }

    private static List<SearchHit> TopK(float[] scores, List<int> touched, int k)
    {
        // Min-heap of the best k by (score desc, passage asc).
        var heap = new List<SearchHit>(Math.Min(k, touched.Count) + 1);
        foreach (var p in touched)
        {
            var hit = new SearchHit(p, scores[p]);
            if (heap.Count < k)
            {
                heap.Add(hit);
                SiftUp(heap, heap.Count - 1);
            }
            else if (Better(hit, heap[0]))
            {
                heap[0] = hit;
                SiftDown(heap, 0);
            }
        }

        heap.Sort((a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        return heap;
    }

    private static bool Better(SearchHit a, SearchHit b) => a.Score > b.Score || (a.Score == b.Score && a.Passage < b.Passage);

    private static void SiftUp(List<SearchHit> h, int i)
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

    private static void SiftDown(List<SearchHit> h, int i)
    {
        while (true)
        {
            var l = (2 * i) + 1;
            var r = l + 1;
            var worst = i;
            if (l < h.Count && Better(h[worst], h[l]))
            {
                worst = l;
            }

            if (r < h.Count && Better(h[worst], h[r]))
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

    /// <summary>BM25TP: pairs of distinct query terms within the window add a saturated, IDF-weighted bonus.</summary>
    private void ApplyProximity(IReadOnlyList<QueryTerm> terms, List<SearchHit> hits, Scratch scratch)
    {
        var slot = scratch.TermSlot;
        var known = new List<QueryTerm>();
        foreach (var t in terms)
        {
            if (t.TermId >= 0 && t.Origin != QueryTermOrigin.Feedback && !_isStopTerm[t.TermId] && known.Count < 32)
            {
                slot[t.TermId] = known.Count + 1;
                known.Add(t);
            }
        }

        if (known.Count >= 2)
        {
            var m = known.Count;
            var last = new int[m];
            var acc = new double[m * m];
            var window = _options.ProximityWindow;
            var k1 = _options.K1;
            for (var h = 0; h < hits.Count; h++)
            {
                var body = _snapshot.Passages[hits[h].Passage].Body;
                Array.Fill(last, -1);
                Array.Clear(acc);
                for (var pos = 0; pos < body.Length; pos++)
                {
                    var s = slot[body[pos]] - 1;
                    if (s < 0)
                    {
                        continue;
                    }

                    for (var o = 0; o < m; o++)
                    {
                        if (o == s || last[o] < 0 || known[o].Concept == known[s].Concept)
                        {
                            continue;
                        }

                        var d = pos - last[o];
                        if (d <= window)
                        {
                            acc[(Math.Min(o, s) * m) + Math.Max(o, s)] += 1.0 / (d * d);
                        }
                    }

                    last[s] = pos;
                }

                var bonus = 0.0;
                for (var a = 0; a < m; a++)
                {
                    for (var b = a + 1; b < m; b++)
                    {
                        var x = acc[(a * m) + b];
                        if (x > 0)
                        {
                            bonus += Math.Min(known[a].Idf * known[a].Weight, known[b].Idf * known[b].Weight) * x * (k1 + 1) / (k1 + x);
                        }
                    }
                }

                if (bonus > 0)
                {
                    hits[h] = hits[h] with { Score = hits[h].Score + (_options.ProximityWeight * bonus) };
                }
            }
        }

        foreach (var t in known)
        {
            slot[t.TermId] = 0;
        }

        hits.Sort((a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
    }

    /// <summary>
    /// RM3-style feedback: the top passages' term distributions, weighted by their scores, add new terms (each
    /// weighted by its relevance-model probability times its IDF), interpolated with the original query.
    /// Allocation-light: per-term accumulators live in the thread's scratch.
    /// </summary>
    private IReadOnlyList<QueryTerm> Feedback(IReadOnlyList<QueryTerm> terms, List<SearchHit> hits, Scratch scratch)
    {
        var fbDocs = Math.Min(_options.FeedbackDocuments, hits.Count);
        if (fbDocs == 0)
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
            var body = _snapshot.Passages[hits[i].Passage].Body;
            if (body.Length == 0)
            {
                continue;
            }

            var docWeight = Math.Exp(hits[i].Score - max);
            total += docWeight;
            var share = docWeight / body.Length;
            foreach (var id in body)
            {
                if (_isStopTerm[id] || slot[id] == -1)
                {
                    continue;
                }

                if (weights[id] == 0)
                {
                    seen.Add(id);
                }

                weights[id] += share;
            }
        }

        var n = _snapshot.Passages.Length;
        var top = _options.FeedbackTerms;
        var candidates = new List<(int Id, double W)>(top + 1);
        foreach (var id in seen)
        {
            var df = _snapshot.DocumentFrequency(id);
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
            expanded.Add(new QueryTerm(_snapshot.Terms[id], id, alpha * originalMass * w / fbMass, Idf(_snapshot.DocumentFrequency(id)), -1, QueryTermOrigin.Feedback));
        }

        return expanded;
    }

    /// <summary>Per-term contributions to a passage's first-stage score: why it ranked where it did.</summary>
    public IReadOnlyList<TermContribution> Explain(ParsedQuery query, int passage)
    {
        var result = new List<TermContribution>();
        foreach (var term in query.Terms)
        {
            if (term.TermId < 0)
            {
                result.Add(new TermContribution(term.Term + " (not in corpus)", 0));
                continue;
            }

            foreach (var p in _snapshot.Postings[term.TermId])
            {
                if (p.Passage == passage)
                {
                    var tf = (p.Title * _normTitle[passage]) + (p.Section * _normSection[passage]) + (p.Body * _normBody[passage]);
                    result.Add(new TermContribution(term.Term, term.Weight * term.Idf * tf / (tf + _options.K1)));
                }
            }
        }

        return result;
    }

    private bool Contains(int termId, int passage)
    {
        if (termId < 0)
        {
            return false;
        }

        var postings = _snapshot.Postings[termId];
        var lo = 0;
        var hi = postings.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = postings[mid].Passage;
            if (v == passage)
            {
                return true;
            }

            if (v < passage)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return false;
    }

    /// <summary>Which concepts of the query a passage contains (any of a concept's terms in any field).</summary>
    internal bool[] Covered(ParsedQuery query, int passage)
    {
        var covered = new bool[query.ConceptIdf.Count];
        foreach (var term in query.Terms)
        {
            if (term.Concept >= 0 && !covered[term.Concept] && term.Weight > 0 && Contains(term.TermId, passage))
            {
                covered[term.Concept] = true;
            }
        }

        return covered;
    }

    public PassageCoverage Coverage(ParsedQuery query, int passage)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new PassageCoverage(Covered(query, passage), CoverageShare(query, passage));
    }

    /// <summary>Share of the question's IDF mass a passage covers (0–1): the abstention signal.</summary>
    internal double CoverageShare(ParsedQuery query, int passage)
    {
        var covered = Covered(query, passage);
        var byCorrectionOnly = new bool[covered.Length];
        for (var c = 0; c < covered.Length; c++)
        {
            byCorrectionOnly[c] = covered[c] && query.Terms.All(t => t.Concept != c || t.Origin == QueryTermOrigin.Correction || !Contains(t.TermId, passage));
        }

        double total = 0, got = 0;
        for (var c = 0; c < covered.Length; c++)
        {
            total += query.ConceptIdf[c];
            if (covered[c])
            {
                // A guessed spelling is weaker evidence than the word itself.
                got += query.ConceptIdf[c] * (byCorrectionOnly[c] ? 0.5 : 1.0);
            }
        }

        return total <= 0 ? 0 : got / total;
    }

    internal bool IsStopTerm(int termId) => _isStopTerm[termId];

    private sealed class Scratch(int passages, int terms)
    {
        public float[] Scores { get; } = new float[passages];

        public List<int> Touched { get; } = new(1024);

        public int[] TermSlot { get; } = new int[terms];

        public double[] TermWeight { get; } = new double[terms];

        public List<int> TermTouched { get; } = new(256);
    }
}
