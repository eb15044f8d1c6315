using System.Security.Cryptography;
using System.Text;
using PolicyBot.Core.Language;
using PolicyBot.Search.Index;
using PolicyBot.Search.Retrieval;

namespace PolicyBot.Search.Corpus;

/// <summary>One problem found by <see cref="CorpusValidator"/>.</summary>
public sealed record ValidationProblem(string File, int? Line, string Message)
{
    public override string ToString() => Line is { } l ? $"{File}:{l}: {Message}" : $"{File}: {Message}";
}

/// <summary>
/// Checks a corpus folder the way review would: every document readable and non-empty, required front matter
/// present, dates that parse, kinds/jurisdictions/topics from <c>schema.yaml</c>, no duplicate documents, no
/// oversized files, and a well-formed <c>synonyms.txt</c> and <c>glossary.tsv</c>.
/// </summary>
public static class CorpusValidator
{
    public static IReadOnlyList<ValidationProblem> Validate(string corpusDirectory)
    {
        var problems = new List<ValidationProblem>();
        if (!Directory.Exists(corpusDirectory))
        {
            problems.Add(new ValidationProblem(corpusDirectory, null, "corpus folder does not exist"));
            return problems;
        }

        CorpusSchema schema;
        try
        {
            schema = CorpusSchema.Load(corpusDirectory);
        }
        catch (DocumentReadException ex)
        {
            problems.Add(new ValidationProblem(CorpusSchema.FileName, ex.Line, ex.Message));
            schema = CorpusSchema.Default;
        }

        var synonymsPath = Path.Combine(corpusDirectory, Synonyms.FileName);
        if (File.Exists(synonymsPath))
        {
            var synonymProblems = new List<Synonyms.Problem>();
            Synonyms.Parse(File.ReadAllText(synonymsPath), synonymProblems);
            problems.AddRange(synonymProblems.Select(p => new ValidationProblem(Synonyms.FileName, p.Line, p.Message)));
        }

        var glossaryPath = Path.Combine(corpusDirectory, Glossary.FileName);
        if (File.Exists(glossaryPath))
        {
            var glossaryProblems = new List<GlossaryProblem>();
            Glossary.Load([corpusDirectory], glossaryProblems);
            problems.AddRange(glossaryProblems.Select(p => new ValidationProblem(Glossary.FileName, p.Line > 0 ? p.Line : null, p.Message)));
        }

        var (files, skipped) = CorpusScanner.Scan([corpusDirectory]);
        problems.AddRange(skipped.Select(s => new ValidationProblem(s.Path, s.Line, s.Reason)));
        var bodies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            SourceDocument doc;
            try
            {
                doc = DocumentReader.Read(file.FullPath, file.RelativePath, schema.MaxBytes);
            }
            catch (DocumentReadException ex)
            {
                problems.Add(new ValidationProblem(file.RelativePath, ex.Line, ex.Message));
                continue;
            }

            FrontMatter fm;
            try
            {
                fm = FrontMatter.Parse(doc.Text);
            }
            catch (DocumentReadException ex)
            {
                problems.Add(new ValidationProblem(file.RelativePath, ex.Line, ex.Message));
                continue;
            }

            CheckFrontMatter(file.RelativePath, fm, schema, problems);
            var key = BodyKey(doc);
            if (bodies.TryGetValue(key, out var first))
            {
                problems.Add(new ValidationProblem(file.RelativePath, null, $"duplicate of {first} (same text)"));
            }
            else
            {
                bodies[key] = file.RelativePath;
            }
        }

        return problems;
    }

    private static void CheckFrontMatter(string file, FrontMatter fm, CorpusSchema schema, List<ValidationProblem> problems)
    {
        if (fm.Fields.Count == 0)
        {
            problems.Add(new ValidationProblem(file, 1, $"no front matter: add {string.Join(", ", schema.Required)} (use `policybot corpus add` to normalise a file)"));
            return;
        }

        foreach (var field in schema.Required)
        {
            if (string.IsNullOrWhiteSpace(fm.GetString(field)))
            {
                problems.Add(new ValidationProblem(file, fm.LineOf(field) ?? 1, $"required field '{field}' is missing or empty"));
            }
        }

        foreach (var dateField in new[] { "published", "as_of", "date" })
        {
            var raw = fm.GetString(dateField);
            if (!string.IsNullOrWhiteSpace(raw) && FrontMatter.NormaliseDate(raw) is null)
            {
                problems.Add(new ValidationProblem(file, fm.LineOf(dateField), $"'{dateField}' is not a date (use yyyy-mm-dd): '{raw}'"));
            }
        }

        var kind = fm.GetString("kind");
        if (!string.IsNullOrWhiteSpace(kind) && !schema.Kinds.ContainsKey(kind.Trim()))
        {
            problems.Add(new ValidationProblem(file, fm.LineOf("kind"), $"kind '{kind}' is not one of: {string.Join(", ", schema.Kinds.Keys)}"));
        }

        CheckAllowed(file, fm, "jurisdictions", schema.Jurisdictions, problems);
        CheckAllowed(file, fm, "topics", schema.Topics, problems);
        foreach (var entry in SourceFields.Read(fm, schema.Tiers.Keys))
        {
            problems.AddRange(entry.Problems.Select(p => new ValidationProblem(file, entry.Line, p)));
            if (schema.OutletUrlProblem(entry.Reference.Outlet, entry.Reference.Url) is { } mismatch)
            {
                problems.Add(new ValidationProblem(file, entry.Line, mismatch));
            }
        }
    }

    private static void CheckAllowed(string file, FrontMatter fm, string field, IReadOnlyDictionary<string, string>? allowed, List<ValidationProblem> problems)
    {
        if (allowed is null)
        {
            return;
        }

        foreach (var value in fm.GetList(field))
        {
            if (!allowed.ContainsKey(value))
            {
                problems.Add(new ValidationProblem(file, fm.LineOf(field), $"{field} value '{value}' is not in {CorpusSchema.FileName} (allowed: {string.Join(", ", allowed.Keys)})"));
            }
        }
    }

    /// <summary>The document's passages with white space folded: two files with the same text collide whatever their front matter.</summary>
    public static string BodyKey(SourceDocument doc)
    {
        var sb = new StringBuilder();
        foreach (var p in doc.Passages)
        {
            foreach (var part in doc.PassageText(p).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                sb.Append(part).Append(' ');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
