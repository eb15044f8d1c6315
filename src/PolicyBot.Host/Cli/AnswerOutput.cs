using System.Text;
using System.Text.Json;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Host.Cli;

/// <summary>How `ask` prints an answer: one JSON object on one line, or readable text with a numbered source list.</summary>
internal static class AnswerOutput
{
    /// <summary>
    /// <c>{"question","answered","answer","citations":[{"rank","title","section","source","source_line","url","passage","score"}],"reason","corpus_version","confidence"}</c>
    /// on one line (control characters and line breaks escaped).
    /// </summary>
    public static string Json(Answer answer)
        => JsonSerializer.Serialize(CliJson.AnswerJson.From(answer), CliJsonContext.Relaxed.AnswerJson);

    /// <summary>The answer with [n] markers (one per passage, as Discord and Teams show them), then the numbered sources with their passages.</summary>
    public static string Text(Answer answer)
    {
        answer = PolicyBot.Core.Answering.Extracts.OneMarkerPerPassage(answer);
        var sb = new StringBuilder();
        sb.AppendLine(answer.Text);
        if (answer.Citations.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Sources:");
            foreach (var c in answer.Citations)
            {
                sb.Append('[').Append(c.Rank).Append("] ").Append(c.Title);
                if (!string.IsNullOrEmpty(c.Section))
                {
                    sb.Append(" — ").Append(c.Section);
                }

                sb.AppendLine();
                var line = c.SourceLineText;
                var url = c.SourceUrl?.AbsoluteUri ?? (string.IsNullOrEmpty(c.Source) ? "" : c.Source);
                if (line.Length > 0 || url.Length > 0)
                {
                    sb.Append("    Source: ").Append(line).Append(line.Length > 0 && url.Length > 0 ? " — " : "").AppendLine(url);
                }

                foreach (var passageLine in c.Passage.Split('\n'))
                {
                    sb.Append("    > ").AppendLine(passageLine);
                }
            }
        }

        sb.Append("(corpus ").Append(answer.CorpusVersion).Append("; extracts, not advice)");
        return sb.ToString();
    }
}
