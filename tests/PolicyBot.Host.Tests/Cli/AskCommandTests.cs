using System.Text.Json;

namespace PolicyBot.Host.Tests.Cli;

public class AskCommandTests
{
    private static void AssertContract(JsonElement o)
    {
        Assert.Equal(JsonValueKind.String, o.GetProperty("question").ValueKind);
        Assert.True(o.GetProperty("answered").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal(JsonValueKind.String, o.GetProperty("answer").ValueKind);
        var citations = o.GetProperty("citations");
        Assert.Equal(JsonValueKind.Array, citations.ValueKind);
        var rank = 0;
        foreach (var c in citations.EnumerateArray())
        {
            Assert.Equal(++rank, c.GetProperty("rank").GetInt32());
            Assert.Equal(JsonValueKind.String, c.GetProperty("title").ValueKind);
            Assert.Equal(JsonValueKind.String, c.GetProperty("section").ValueKind);
            Assert.Equal(JsonValueKind.String, c.GetProperty("source").ValueKind);
            Assert.Equal(JsonValueKind.String, c.GetProperty("passage").ValueKind);
            Assert.Equal(JsonValueKind.Number, c.GetProperty("score").ValueKind);
        }

        if (o.GetProperty("answered").GetBoolean())
        {
            Assert.NotEqual(0, rank);
        }
        else
        {
            Assert.Equal(0, rank);
        }
    }

    [Fact]
    public async Task Ask_Json_PrintsOneContractObjectOnOneLine()
    {
        using var ws = new TempWorkspace().WithNotes();
        var (code, stdout, stderr) = await CliRunner.RunAsync(ws.Root, null, "ask", "--json", "Why should Hong Kong co-host the AI centre?");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        using var doc = JsonDocument.Parse(line);
        AssertContract(doc.RootElement);
        Assert.True(doc.RootElement.GetProperty("answered").GetBoolean());
        var first = doc.RootElement.GetProperty("citations")[0];
        Assert.Equal("Hosting the proposed AI body", first.GetProperty("title").GetString());
        Assert.Equal("Hosting the proposed AI body › Hong Kong", first.GetProperty("section").GetString());
        Assert.Equal("https://example.org/hosting", first.GetProperty("source").GetString());
        Assert.Contains("independent judiciary", first.GetProperty("passage").GetString(), StringComparison.Ordinal);
        Assert.Contains("[1]", doc.RootElement.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(ws.Root, ".policybot", "index")), "index built on first run under .policybot/index/");
    }

    [Fact]
    public async Task Ask_Top_LimitsCitationsAndRejectsOutOfRange()
    {
        using var ws = new TempWorkspace().WithNotes();
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "ask", "--json", "--top", "1", "Which city is the front runner to host, Shanghai or Hong Kong?");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.Trim());
        Assert.True(doc.RootElement.GetProperty("citations").GetArrayLength() <= 1);
        var (bad, _, err) = await CliRunner.RunAsync(ws.Root, null, "ask", "--top", "0", "anything");
        Assert.NotEqual(0, bad);
        Assert.Contains("--top", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_BatchFromStdin_OneObjectPerLineAndBadLinesDoNotStopIt()
    {
        using var ws = new TempWorkspace().WithNotes();
        string[] questions =
        [
            "What are the functions of the AI Risk Management Framework?",
            "",
            "\"",
            "NEAR(hong kong, 2) AND -x OR title:*",
            "'; DROP TABLE passages; --",
            new string('q', 100 * 1024),
            "🙂🙂",
            "人工智能在哪里？",
            "\u0001\u0002\u001b[31m",
            "what is the the of",
            "What is the capital of Peru?",
            "Why should Hong Kong co-host the AI centre?",
        ];
        var (code, stdout, stderr) = await CliRunner.RunAsync(ws.Root, string.Join("\n", questions) + "\n", "ask", "--json", "-");
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(questions.Length, lines.Length);
        var objects = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        objects.ForEach(AssertContract);
        Assert.True(objects[0].GetProperty("answered").GetBoolean());
        Assert.True(objects[^1].GetProperty("answered").GetBoolean());
        Assert.False(objects[^2].GetProperty("answered").GetBoolean());
        for (var i = 1; i < questions.Length - 2; i++)
        {
            var o = objects[i];
            if (!o.GetProperty("answered").GetBoolean())
            {
                Assert.False(string.IsNullOrWhiteSpace(o.GetProperty("reason").GetString()), $"line {i} has no reason");
            }
        }
    }

    [Fact]
    public async Task Ask_NoQuestionPipedInput_ReadsStdin()
    {
        using var ws = new TempWorkspace().WithNotes();
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, "Is the AI Risk Management Framework voluntary?\n", "ask", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.Trim());
        Assert.True(doc.RootElement.GetProperty("answered").GetBoolean());
    }

    [Fact]
    public async Task Ask_Text_PrintsAnswerWithMarkersAndNumberedSources()
    {
        using var ws = new TempWorkspace().WithNotes();
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "ask", "Why should Hong Kong co-host the AI centre?");
        Assert.Equal(0, code);
        Assert.Contains("[1]", stdout, StringComparison.Ordinal);
        Assert.Contains("Sources:", stdout, StringComparison.Ordinal);
        Assert.Contains("[1] Hosting the proposed AI body — Hosting the proposed AI body › Hong Kong", stdout, StringComparison.Ordinal);
        Assert.Contains("Source: https://example.org/hosting", stdout, StringComparison.Ordinal);
        Assert.Contains("> Hong Kong could co-host", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_Uncovered_AbstainsWithClosestTopics()
    {
        using var ws = new TempWorkspace().WithNotes();
        var (_, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "ask", "--json", "How tall is Mount Everest?");
        using var doc = JsonDocument.Parse(stdout.Trim());
        Assert.False(doc.RootElement.GetProperty("answered").GetBoolean());
        Assert.Contains("Closest topics", doc.RootElement.GetProperty("answer").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_ReportsIndexedAndSkippedFilesWithReasons()
    {
        using var ws = new TempWorkspace().WithNotes();
        ws.Write("corpus/broken.md", "---\ntitle: [broken\n---\ntext");
        var (code, stdout, _) = await CliRunner.RunAsync(ws.Root, null, "index");
        Assert.Equal(0, code);
        Assert.Contains("added     hosting.md", stdout, StringComparison.Ordinal);
        Assert.Contains("skipped   broken.md", stdout, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", stdout, StringComparison.Ordinal);
        Assert.Contains("Indexed 2 documents", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_NothingIndexable_ExitsNonZero()
    {
        using var ws = new TempWorkspace();
        ws.Write("corpus/empty.md", "");
        var (code, stdout, stderr) = await CliRunner.RunAsync(ws.Root, null, "index", "--index", Path.Combine(ws.Root, "custom", "idx.db"));
        Assert.Equal(1, code);
        Assert.Contains("Nothing could be indexed", stdout, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(ws.Root, "custom", "idx")), "an old-style .db path means the folder beside it");
        Assert.Contains("now a Lucene folder", stderr, StringComparison.Ordinal);
    }
}
