using PolicyBot.Core.Conversation;
using PolicyBot.Core.Text;

namespace PolicyBot.Core.Operations;

/// <summary>Refusal answers shared by the operations pieces.</summary>
public static class Refusals
{
    public static Answer Make(Question question, string reason, string text, string corpusVersion) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        Question = TextCut.Clip(question.Text ?? "", 200),
        Outcome = AnswerOutcome.Refused,
        Text = text,
        Reason = reason,
        CorpusVersion = corpusVersion,
    };
}
