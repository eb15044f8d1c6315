using PolicyBot.Evaluation;

namespace PolicyBot.Evaluation.Tests;

public sealed class EvaluationDocumentsTests
{
    [Fact]
    public void Create_Paragraphs_PassagesAreExactSubstrings()
    {
        var long1 = string.Join(' ', Enumerable.Repeat("The wing was tested in a slipstream at several angles.", 12));
        var long2 = string.Join(' ', Enumerable.Repeat("Heat transfer in the boundary layer was measured.", 12));
        var doc = EvaluationDocuments.Create("42", " Wing tests ", long1 + "\n\n" + long2);
        Assert.Equal("42", doc.Path);
        Assert.Equal("Wing tests", doc.Metadata.Title);
        Assert.Equal(2, doc.Passages.Count);
        Assert.Equal(long1, doc.PassageText(doc.Passages[0]));
        Assert.Equal(long2, doc.PassageText(doc.Passages[1]));
    }

    [Fact]
    public void Create_EmptyText_HasNoPassages()
    {
        Assert.Empty(EvaluationDocuments.Create("1", "title", "").Passages);
    }

    [Fact]
    public void Replicate_SuffixesIdsOfCopies()
    {
        var docs = new[] { EvaluationDocuments.Create("a", "A", "alpha text"), EvaluationDocuments.Create("b", "B", "beta text") };
        var copies = EvaluationDocuments.Replicate(docs, 3).ToList();
        Assert.Equal(["a", "b", "a~1", "b~1", "a~2", "b~2"], copies.Select(d => d.Path));
        Assert.Equal(6, copies.Select(d => d.FullPath).Distinct().Count());
    }
}
