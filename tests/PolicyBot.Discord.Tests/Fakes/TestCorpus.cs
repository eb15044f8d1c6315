using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyBot.Core;
using PolicyBot.Core.Conversation;
using PolicyBot.Search;

namespace PolicyBot.Discord.Tests.Fakes;

/// <summary>
/// The one corpus fixture of this project: a small real Markdown corpus written to a temp folder and indexed by
/// the real <see cref="PolicyBotEngine"/> into a real SQLite index file. Every test that needs answers uses it,
/// directly or through <see cref="BotHarness"/>. The engine is opened once per test process (it is read-only
/// once open and safe to share) and its folder is removed when the process exits.
/// Each document exists for scenarios that need a particular kind of answer; the questions in
/// <see cref="Questions"/> retrieve them deterministically.
/// </summary>
public static class TestCorpus
{
    private static readonly Lazy<Task<PolicyBotEngine>> Shared = new(OpenSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The temp folder holding the corpus, the index file and the harnesses' state files: under /dev/shm when the
    /// machine has it (real SQLite files, but fsync on a RAM disk costs nothing, so a hundred harnesses creating
    /// their stores do not slow the timing scenarios running beside them), otherwise the temp folder.
    /// </summary>
    public static string Root { get; } = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "policybot-discord-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Questions that retrieve particular documents of the corpus.</summary>
    public static class Questions
    {
        /// <summary>Answered from one EU AI Act passage (one citation).</summary>
        public const string HighRisk = "What must providers of high-risk AI systems establish?";

        /// <summary>Answered from the EU AI Act penalties passage ("35 million euros").</summary>
        public const string Fines = "How high are fines for prohibited AI practices?";

        /// <summary>Answered with three very long verbatim sentences (≥ 5,000 characters in all).</summary>
        public const string LongAnswer = "archive retention schedule records officer";

        /// <summary>Answered from a passage whose text carries @everyone, @here, a role and a user mention.</summary>
        public const string Mentions = "How do moderators ping members about server announcements?";

        /// <summary>Answered with three citations whose titles, sections, sources and passages exceed Discord's embed limits.</summary>
        public const string Oversized = "Which watermarking provenance labels apply to synthetic media?";

        /// <summary>Outside the corpus: the engine abstains.</summary>
        public const string OutsideCorpus = "What is the capital of Peru?";
    }

    /// <summary>The shared engine over the standard corpus.</summary>
    public static Task<PolicyBotEngine> EngineAsync() => Shared.Value;

    /// <summary>What the real engine answers to <paramref name="question"/> (for expected values; ids differ per call).</summary>
    public static async Task<Answer> AnswerAsync(string question)
        => (await EngineAsync()).Answer(new Question(question, new QuestionContext("discord")));

    /// <summary>A new, empty temp file path under <see cref="Root"/> (for a harness's SQLite state store).</summary>
    public static string NewStateFile()
    {
        Directory.CreateDirectory(Root);
        return Path.Combine(Root, "state-" + Guid.NewGuid().ToString("N") + ".db");
    }

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

    /// <summary>The documents of the standard corpus (file name → Markdown with front matter).</summary>
    public static IReadOnlyDictionary<string, string> Documents { get; } = BuildDocuments();

    private static Dictionary<string, string> BuildDocuments()
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

    private static async Task<PolicyBotEngine> OpenSharedAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A temp folder left behind is harmless.
            }
        };

        var corpus = Path.Combine(Root, "corpus");
        Directory.CreateDirectory(corpus);
        foreach (var (name, text) in Documents)
        {
            await File.WriteAllTextAsync(Path.Combine(corpus, name), text);
        }

        var options = new PolicyBotOptions { IndexPath = Path.Combine(Root, "index.db") };
        options.CorpusDirectories.Add(corpus);
        var engine = await PolicyBotEngine.OpenAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
        return engine;
    }
}
