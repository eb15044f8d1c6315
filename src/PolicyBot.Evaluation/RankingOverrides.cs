using System.Globalization;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Evaluation;

/// <summary>Parses <c>Name=value,Name=value</c> overrides of <see cref="RankingOptions"/>, for measuring a setting without a rebuild.</summary>
public static class RankingOverrides
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "K1", "B", "TitleWeight", "SectionWeight", "BodyWeight", "RerankDepth",
        "FeedbackDocuments", "FeedbackTerms", "FeedbackWeight", "FeedbackBelowCoverage", "SynonymWeight", "CorrectSpelling", "MaxDocumentFrequencyRatio",
    ];

    public static RankingOptions Apply(RankingOptions options, string? spec)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(spec))
        {
            return options;
        }

        foreach (var pair in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                throw new FormatException($"ranking override '{pair}' is not Name=number");
            }

            var name = pair[..eq].Trim();
            options = name.ToUpperInvariant() switch
            {
                "K1" => options with { K1 = v },
                "B" => options with { B = v },
                "TITLEWEIGHT" => options with { TitleWeight = v },
                "SECTIONWEIGHT" => options with { SectionWeight = v },
                "BODYWEIGHT" => options with { BodyWeight = v },
                "RERANKDEPTH" => options with { RerankDepth = (int)v },
                "FEEDBACKDOCUMENTS" => options with { FeedbackDocuments = (int)v },
                "FEEDBACKTERMS" => options with { FeedbackTerms = (int)v },
                "FEEDBACKWEIGHT" => options with { FeedbackWeight = v },
                "FEEDBACKBELOWCOVERAGE" => options with { FeedbackBelowCoverage = v },
                "SYNONYMWEIGHT" => options with { SynonymWeight = v },
                "CORRECTSPELLING" => options with { CorrectSpelling = v != 0 },
                "MAXDOCUMENTFREQUENCYRATIO" => options with { MaxDocumentFrequencyRatio = v },
                _ => throw new FormatException($"unknown ranking option '{name}' (known: {string.Join(", ", Names)})"),
            };
        }

        return options;
    }
}
