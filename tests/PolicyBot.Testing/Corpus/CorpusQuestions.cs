namespace PolicyBot.Testing.Corpus;

/// <summary>Questions known to retrieve particular passages of each <see cref="CorpusSet"/>, written the way users ask.</summary>
public static class CorpusQuestions
{
    /// <summary>Over <see cref="CorpusSet.Chat"/>.</summary>
    public static class Chat
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

    /// <summary>Over <see cref="CorpusSet.Teams"/>.</summary>
    public static class Teams
    {
        /// <summary>Answered from the EU AI Act (URL source) first and NIST AI RMF (non-URL source) second: exactly [1] and [2].</summary>
        public const string TwoSources = "What must providers of high-risk AI systems establish, implement, document and maintain, and what does the Govern function cultivate?";

        /// <summary>Answered with cited EU AI Act passages.</summary>
        public const string HighRisk = "what is a high-risk AI system?";

        /// <summary>Answered with three very long verbatim sentences (about 2,600 characters) from the technical documentation guide.</summary>
        public const string LongAnswer = "What must the technical documentation dossier contain?";
    }

    /// <summary>Over <see cref="CorpusSet.Widgets"/>.</summary>
    public static class Widgets
    {
        public const string Fine = "What is the maximum fine under the Widget Safety Act?";

        public const string Registry = "When must providers register their widgets in the registry?";
    }
}
