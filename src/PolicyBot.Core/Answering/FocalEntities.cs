using System.Text.RegularExpressions;

namespace PolicyBot.Core.Answering;

/// <summary>A name in the question: a country, city, organisation, law or programme ("UK", "Canada's AIDA", "Bletchley Declaration").</summary>
/// <param name="Text">The name as written.</param>
/// <param name="Words">Its words, each a candidate question word of the parsed query.</param>
public sealed record EntityMention(string Text, IReadOnlyList<string> Words);

/// <summary>
/// Finds the names a question is about, by their form: runs of capitalised words (with "of", "and", "for" inside,
/// numbers after them: "Council of Europe", "Local Law 144"), acronyms ("UK", "AIDA"), a word before a possessive
/// ("Colorado's"). The first word of the question counts only when it is not a question word. When a question names
/// something the corpus lacks, the bot abstains rather than answer about something else.
/// </summary>
public static partial class FocalEntities
{
    public static IReadOnlyList<EntityMention> Find(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var mentions = new List<EntityMention>();
        var tokens = Token().Matches(question).Select(m => (m.Value, m.Index)).ToList();

        // A shouted question ("WHY SHOULD HONG KONG…") shows no names by its form.
        var letters = question.Count(char.IsLetter);
        if (letters > 0 && question.Count(char.IsUpper) > letters * 0.6 && tokens.Count > 2)
        {
            return mentions;
        }

        var i = 0;
        while (i < tokens.Count)
        {
            if (!IsNameWord(tokens, i))
            {
                i++;
                continue;
            }

            var words = new List<string> { Bare(tokens[i].Value) };
            var start = tokens[i].Index;
            var end = start + tokens[i].Value.Length;
            var j = i + 1;
            while (j < tokens.Count && !EndsWithPossessive(tokens[j - 1].Value) && string.IsNullOrWhiteSpace(Between(question, tokens[j - 1], tokens[j])))
            {
                var (w, _) = tokens[j];
                if (IsNameWord(tokens, j) || Ordinary().IsMatch(Bare(w)) || (w.All(char.IsAsciiDigit) && words.Count > 0))
                {
                    words.Add(Bare(w));
                    end = tokens[j].Index + w.Length;
                    j++;
                }
                else if (Joiner().IsMatch(w) && j + 1 < tokens.Count && IsNameWord(tokens, j + 1) && !EndsWithPossessive(tokens[j - 1].Value))
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            mentions.Add(new EntityMention(question[start..end].TrimEnd('\'', '’').Replace("'s", "", StringComparison.Ordinal).Replace("’s", "", StringComparison.Ordinal), words));
            i = j;
        }

        return mentions;
    }

    /// <summary>What stands between two tokens: a name runs on only across white space ("Hong Kong", not "Hong Kong, Shanghai").</summary>
    private static string Between(string question, (string Value, int Index) a, (string Value, int Index) b) =>
        question[(a.Index + a.Value.Length)..b.Index];

    private static bool IsNameWord(List<(string Value, int Index)> tokens, int i)
    {
        var w = tokens[i].Value;
        var bare = Bare(w);
        if (bare.Length == 0 || !char.IsUpper(bare[0]))
        {
            return false;
        }

        if ((i == 0 || IsSentenceStart(tokens, i)) && (QuestionWords().IsMatch(bare) || IsMistypedQuestionWord(bare)))
        {
            return false;
        }

        // A capitalised first word is a name unless it is an ordinary opener ("Compare", "Give"): a name the corpus
        // has is harmless, and one it lacks is what this looks for.
        if (i == 0 || IsSentenceStart(tokens, i))
        {
            return !Opener().IsMatch(bare) && !Ordinary().IsMatch(bare);
        }

        return !Ordinary().IsMatch(bare);
    }

    /// <summary>"Wich", "Hwo", "Whta": one edit (or a swap) from an opening question word is that word mistyped, not a name.</summary>
    private static bool IsMistypedQuestionWord(string word)
    {
        foreach (var q in (ReadOnlySpan<string>)["What", "Which", "When", "Where", "Who", "Why", "How", "Whose"])
        {
            if (Math.Abs(q.Length - word.Length) <= 1 && WithinOneEdit(q.ToLowerInvariant(), word.ToLowerInvariant()))
            {
                return true;
            }
        }

        return false;
    }

    private static bool WithinOneEdit(string a, string b)
    {
        if (a == b)
        {
            return true;
        }

        if (a.Length == b.Length)
        {
            var diff = Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToList();
            return diff.Count == 1 || (diff.Count == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]);
        }

        var (longer, shorter) = a.Length > b.Length ? (a, b) : (b, a);
        for (var i = 0; i < longer.Length; i++)
        {
            if (string.Equals(longer.Remove(i, 1), shorter, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSentenceStart(List<(string Value, int Index)> tokens, int i) => i > 0 && tokens[i - 1].Value.EndsWith(':');

    private static bool EndsWithPossessive(string w) => w.EndsWith("'s", StringComparison.Ordinal) || w.EndsWith("’s", StringComparison.Ordinal) || w.EndsWith('\'') || w.EndsWith('’');

    private static string Bare(string w)
    {
        var s = w.TrimEnd(':');
        if (s.EndsWith("'s", StringComparison.Ordinal) || s.EndsWith("’s", StringComparison.Ordinal))
        {
            s = s[..^2];
        }

        return s.Trim('\'', '’');
    }

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'’\-/&.]*[\p{L}\p{N}'’]:?|[\p{L}\p{N}]:?")]
    private static partial Regex Token();

    [GeneratedRegex(@"^(of|and|for|the|on|de|du)$")]
    private static partial Regex Joiner();

    [GeneratedRegex(@"^(What|Whats|Who|Whom|Whose|When|Where|Which|Why|How|Is|Are|Was|Were|Do|Does|Did|Can|Could|Should|Would|Will|Has|Have|Had|May|Must|Shall|Tell|Give|List|Name|Explain|Describe|Compare|Please|And|Or|But|So|If|In|On|At|For|To|From|With|By|As|About|Under|Between|Against|Versus|Any|Some|A|An|The|I|We|My|Our|Me|Us)$")]
    private static partial Regex QuestionWords();

    [GeneratedRegex(@"^(Give|List|Tell|Explain|Describe|Compare|Show|Summarise|Summarize|Provide|Recommend|Write|Find|Please|Help|Let|Make|Get)$")]
    private static partial Regex Opener();

    /// <summary>Capitalised words that do not start a name but may continue one ("EU AI Act", "Local Law 144").</summary>
    [GeneratedRegex(@"^(I|AI|A|An|The|Act|Acts|Law|Laws|AND|OR|NOT|NEAR)$")]
    private static partial Regex Ordinary();
}
