namespace PolicyBot.Search.Analysis;

/// <summary>
/// Everyday English words that carry no topic of their own (verbs like "make", adjectives like "attractive",
/// nouns like "reason"). A question word the corpus lacks is weighed by this list when deciding whether the
/// corpus covers a question: missing "Peru" means the topic is absent, missing "attractive" does not.
/// Compared by stem, so inflections count too.
/// </summary>
public static class GenericWords
{
    private const string Words = """
        able about above accept according account achieve across act action actually add added advantage advantages advice affect after again against ago agree aim allow almost alone along already although always among amount another answer anyone anything anyway appear apply approach appropriate area argue argument around arrive ask aspect aspects attention attractive available average avoid aware away
        back bad base based basic basically basis beat beautiful become before begin beginning behind believe below benefit benefits best better between beyond big bit bring build built
        call came care carry case cases cause certain certainly chance change changes check choice choose claim clear clearly close come comes coming common compare complete completely concern concerned consider considered contain continue cost could count couple course cover create current currently cut
        day days deal decide decision deep define definitely describe detail details develop did difference different difficult direct directly discuss do does doing done down during
        each early easy effect effective effort either else end enough entire especially even event events ever every everyone everything exactly example examples exist exists expect experience explain extra
        face fact factor factors fail fair fall far fast feature features feel few field figure final finally find fine first fit follow following form forward found free full fully further future
        gain general generally get gets getting give given gives go goes going gone good got great group grow
        half happen happens happened hard having help high hold how however huge
        idea ideas imagine impact important include including increase indeed information instead interest interested interesting involve involved issue issues item
        just keep key kind kinds know known
        large last late later latest lead least leave less let level like likely limit line list little live long look looking lot lots low
        made main mainly major make makes making manage many matter matters may mean meaning means meant mention might mind miss moment more most move much must
        name near nearly necessary need needed needs never new next nice normal nothing notice now number
        obvious offer often old once one ones open opinion option options order original others otherwise out outside over overall own
        part particular particularly pass past people per perhaps period person place plan play point points position possible potential power present pretty prevent previous probably problem problems process produce proper provide provided purpose put
        question questions quick quickly quite
        range rather reach read ready real really reason reasons receive recent recently reduce refer regard regarding related relevant remain remember require required result results return right role run
        said same saw say says second see seem seems seen send sense serious serve set several short show shown side significant similar simple simply since single situation size small someone something sometimes soon sort special specific stand start state stay step still stop strong such suggest summary support suppose sure
        take taken talk tell term terms than thank thanks thing things think though thought through thus time times today together told too top total toward towards true try trying turn type types typical
        under understand unless until up upon use used useful using usual usually
        value various via view want way ways well went whether while whole wide will within without wonder word words work works worth would write wrong
        year years yes yet
        best biggest highest largest main most good better worse worst pros cons strength strengths weakness weaknesses difference differences overview summary role roles purpose meaning definition
        """;

    private static readonly Lazy<HashSet<string>> Stems = new(() =>
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in Words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            set.Add(TextAnalyzer.Default.Stem(w));
        }

        return set;
    });

    /// <summary>True when the stem is that of an everyday, topic-free word.</summary>
    public static bool IsGeneric(string stem) => Stems.Value.Contains(stem);
}
