using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.Operations;

/// <summary>Refusal answers shared by the operations pieces.</summary>
public static class Refusals
{
    public static Answer Make(Question question, string reason, string text, string corpusVersion) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        Question = Truncate(question.Text ?? "", 200),
        Outcome = AnswerOutcome.Refused,
        Text = text,
        Reason = reason,
        CorpusVersion = corpusVersion,
    };

    public static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        // Do not cut a surrogate pair in half.
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut];
    }
}
