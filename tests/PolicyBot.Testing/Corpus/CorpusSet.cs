using System.Globalization;
using System.Reflection;
using System.Text;

namespace PolicyBot.Testing.Corpus;

/// <summary>
/// A named set of Markdown documents (file name → text with front matter) the corpus fixture writes and indexes.
/// Each set exists for the scenarios of one kind of test; <see cref="CorpusQuestions"/> holds the questions known
/// to retrieve what those scenarios need. The sets stay apart on purpose: BM25 statistics (and so which passage
/// wins) depend on every document in the index, and each set's questions are tuned to its own documents.
/// </summary>
public sealed class CorpusSet
{
    private CorpusSet(string name, IReadOnlyDictionary<string, string> documents)
    {
        Name = name;
        Documents = documents;
    }

    public string Name { get; }

    /// <summary>File name (relative to the corpus folder) → file text.</summary>
    public IReadOnlyDictionary<string, string> Documents { get; }

    /// <summary>How many indexable documents the set holds (Markdown files; a synonyms file is not a document).</summary>
    public int DocumentCount => Documents.Keys.Count(k => k.EndsWith(".md", StringComparison.Ordinal));

    /// <summary>
    /// The chat adapters' corpus (Discord): EU AI Act, EO 14110 and Singapore passages, three very long sentences,
    /// a passage full of mentions, and oversized citations that exceed Discord's embed limits.
    /// </summary>
    public static CorpusSet Chat { get; } = new("chat", BuildChat());

    /// <summary>The Teams corpus: three real-looking documents (EU AI Act, NIST AI RMF, a technical documentation guide).</summary>
    public static CorpusSet Teams { get; } = new("teams", ReadEmbedded("PolicyBot.Testing.Corpus.Teams."));

    /// <summary>The host's corpus: two small fictional acts (widgets and gadgets) whose answers the serve/CLI tests check.</summary>
    public static CorpusSet Widgets { get; } = new("widgets", new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["widget-safety-act.md"] = TestCorpus.Document(
            "The Widget Safety Act",
            "https://example.org/widget-safety-act",
            ("Penalties", "The maximum fine under the Widget Safety Act is seven percent of a provider's worldwide annual turnover. Smaller breaches are fined up to one percent."),
            ("Registry", "Providers must register their widgets in the public widget registry before placing them on the market.")),
        ["gadget-guidance.md"] = TestCorpus.Document(
            "Gadget Transparency Guidance",
            "https://example.org/gadget-guidance",
            ("Labelling", "Gadget makers label synthetic audio with a visible watermark and a machine-readable disclosure."),
            ("Oversight", "The Gadget Office supervises transparency duties and may request documentation from any gadget maker.")),
    });

    /// <summary>The retrieval tests' corpus: hosting notes (with a synonyms file), three governance models, the NIST AI RMF.</summary>
    public static CorpusSet PolicyNotes { get; } = new("policy-notes", BuildPolicyNotes());

    public override string ToString() => Name;

    /// <summary>
    /// A sentence of at least 1,640 characters on <paramref name="topic"/>. Sentences <c>n</c> = 1, 2, 3 share only the
    /// question's words; the rest of each is drawn from its own vocabulary, so the composer (which skips a sentence
    /// whose words mostly repeat an already chosen one) quotes all three.
    /// </summary>
    public static string LongSentence(string topic, int n)
    {
        string[][] vocabularies =
        [
            ["ledger", "folder", "binder", "dossier", "register", "logbook", "charter", "deed", "invoice", "receipt", "minute", "memo", "contract", "permit", "licence", "warrant"],
            ["photograph", "negative", "slide", "microfilm", "reel", "cassette", "tape", "disc", "print", "poster", "map", "chart", "plan", "drawing", "sketch", "atlas"],
            ["email", "database", "spreadsheet", "backup", "snapshot", "server", "mailbox", "website", "webpage", "forum", "wiki", "chatlog", "transcript", "recording", "podcast", "stream"],
        ];
        string[][] verbPairs = [["sealed", "catalogued"], ["digitised", "restored"], ["exported", "mirrored"]];
        var verbs = verbPairs[(n - 1) % verbPairs.Length];
        var words = vocabularies[(n - 1) % vocabularies.Length];
        var builder = new StringBuilder($"The {topic} retention schedule rule number {n} requires that");
        var i = 0;
        while (builder.Length < 1640)
        {
            var a = words[i % words.Length];
            var b = words[(i + 5) % words.Length];
            i++;
            builder.Append(CultureInfo.InvariantCulture, $" every {a} and {b} of the {topic} retention schedule is {verbs[0]} and {verbs[1]} by the records officer,");
        }

        return builder.ToString().TrimEnd(',') + " until the retention schedule review ends.";
    }

    private static Dictionary<string, string> BuildChat()
    {
        var documents = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["eu-ai-act.md"] = """
                ---
                title: "EU AI Act essentials"
                source: "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
                kind: primary
                published: 2024-07-12
                jurisdictions: [EU]
                topics: ["High-risk AI systems", "General-purpose AI models"]
                ---
                # EU AI Act essentials

                ## High-risk AI systems
                Providers of high-risk AI systems must establish a risk management system that runs throughout the lifecycle of the system. High-risk AI systems must be designed so that natural persons can oversee them effectively. The conformity assessment of a high-risk AI system must be completed before it is placed on the market.

                ## Penalties
                Fines for placing prohibited AI practices on the market reach up to 35 million euros or 7 percent of worldwide annual turnover. Supplying incorrect information to authorities can be fined up to 7.5 million euros.

                ## General-purpose AI models
                Providers of general-purpose AI models must keep technical documentation up to date and publish a summary of the content used for training.
                """,
            ["us-eo-14110.md"] = """
                ---
                title: "Executive Order 14110"
                source: "Federal Register 88 FR 75191"
                kind: primary
                published: 2023-10-30
                jurisdictions: [US]
                ---
                # Executive Order 14110

                ## Safety testing
                Developers of the most powerful dual-use foundation models must share the results of red-team safety tests with the federal government.
                """,
            ["singapore.md"] = """
                ---
                title: "Singapore Model AI Governance Framework"
                source: "Infocomm Media Development Authority, Model AI Governance Framework, second edition (2020)"
                kind: primary
                ---
                # Singapore Model AI Governance Framework

                ## Internal governance
                Organisations deploying AI should set up internal governance structures with clear roles and responsibilities for the ethical deployment of AI. Decisions made by AI should be explainable, transparent and fair.
                """,
            ["records.md"] = $"""
                ---
                title: "Archive retention schedule handbook"
                source: "https://example.org/records/retention"
                kind: note
                ---
                # Archive retention schedule handbook

                ## Archive retention schedule
                {LongSentence("archive", 1)} {LongSentence("archive", 2)} {LongSentence("archive", 3)}
                """,
            ["community.md"] = """
                ---
                title: "@everyone notes"
                source: "@everyone"
                kind: note
                ---
                # @everyone notes

                ## @here announcements
                Moderators ping @everyone and @here, role <@&600000000000000006> and user <@600000000000000007> about server announcements for members.
                """,
        };

        // Oversized citations: a 300-character title, a 3,000-character source, 300-character section headings and
        // passages of about 1,600 characters (the longest passage the indexer keeps), three of them cited at once.
        var oversized = new StringBuilder();
        oversized.Append("---\ntitle: \"").Append("Oversized ").Append(new string('T', 290)).Append("\"\n");
        oversized.Append("source: \"Some printed source ").Append(new string('s', 3000)).Append("\"\n");
        oversized.Append("kind: note\npublished: 2024-01-01\n---\n");
        for (var i = 1; i <= 3; i++)
        {
            oversized.Append(CultureInfo.InvariantCulture, $"\n## Section {i} ").Append(new string('S', 290)).Append("\n\n");
            // Three different statements (the composer skips a sentence that mostly repeats one already quoted).
            oversized.Append(i switch
            {
                1 => "Watermarking provenance labels apply to synthetic media images from diffusion generators, photorealistic portraits and edited photographs.",
                2 => "Provenance labels for synthetic media audio cover cloned voices, dubbed podcasts and robocalls, and watermarking must survive compression.",
                _ => "Synthetic media video such as deepfakes, avatars and lip-synced clips carries watermarking and visible provenance labels in every frame.",
            });
            var filler = 0;
            var paragraph = new StringBuilder();
            while (paragraph.Length < 1450)
            {
                filler++;
                paragraph.Append(CultureInfo.InvariantCulture, $" Appendix line {i}-{filler} lists glossary entries for translators and typesetters of the printed edition.");
            }

            oversized.Append(paragraph).Append('\n');
        }

        documents["oversized.md"] = oversized.ToString();
        return documents;
    }

    private static Dictionary<string, string> ReadEmbedded(string prefix)
    {
        var assembly = typeof(CorpusSet).Assembly;
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            documents[name[prefix.Length..]] = reader.ReadToEnd();
        }

        return documents.Count > 0 ? documents : throw new InvalidOperationException($"no embedded corpus documents under {prefix}");
    }

    private static Dictionary<string, string> BuildPolicyNotes() => new(StringComparer.Ordinal)
    {
        ["hosting.md"] = """
            ---
            title: Hosting the World AI Cooperation Organisation
            source: https://example.org/hosting
            kind: note
            published: 2025-08-01
            jurisdictions: [CN, HK, SG]
            topics: [waico, hosting]
            ---
            # Hosting the World AI Cooperation Organisation

            ## Hong Kong
            Hong Kong could co-host the World Artificial Intelligence Cooperation Organisation because its common-law legal system and independent judiciary build international trust. The city also offers deep capital markets and a free port.

            ## Shanghai
            Shanghai is the front runner to host the body, with more than 1,100 core AI companies and 100,000 AI professionals. Its Zhangjiang AI Island hosts many technology firms.

            ## Singapore
            Singapore is a neutral candidate with a mature regulatory framework and the AI Verify testing toolkit.
            """,
        ["models.md"] = """
            ---
            title: Three models of AI governance
            source: Deep Knowledge Group, Global AI Competitiveness Index
            kind: note
            topics: [governance-models]
            ---
            # Three models of AI governance

            China follows a state-led model in which central direction combines industrial policy with fast deployment.

            The United States follows an innovation-first model led by private capital and competition.

            The European Union follows a rights-based model whose AI Act puts safety and accountability first.
            """,
        ["rmf.md"] = """
            ---
            title: NIST AI Risk Management Framework
            source: https://www.nist.gov/itl/ai-risk-management-framework
            kind: primary
            published: 2023-01-26
            ---
            # NIST AI Risk Management Framework

            The AI Risk Management Framework was released by NIST in January 2023 as a voluntary framework. Its core has four functions: Govern, Map, Measure and Manage.
            """,
        ["synonyms.txt"] = """
            # groups of equivalent names
            Hong Kong, HK, HKSAR
            World Artificial Intelligence Cooperation Organisation, WAICO, World AI Cooperation Organisation
            AI Risk Management Framework, AI RMF, NIST RMF
            European Union, EU
            """,
    };
}
