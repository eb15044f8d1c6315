using System.Text;
using PolicyBot.Core.Language;

namespace PolicyBot.Core.Tests.Language;

public sealed class ChineseQuestionTests
{
    private static readonly Glossary Terms = Glossary.Parse("""
        世界人工智能合作组织	世界人工智能合作組織	World Artificial Intelligence Cooperation Organisation
        人工智能	人工智能	artificial intelligence
        香港	香港	Hong Kong
        共同主办	共同主辦	co-host
        主办	主辦	host
        为什么	為什麼	why
        应该	應該	should
        的	的	-
        𠀀𠀁	𠀀𠀁	rare
        """);

    [Fact]
    public void Segment_LongestMatchWins()
    {
        var segments = ChineseQuestion.Segment("为什么香港应该共同主办世界人工智能合作组织？", Terms);
        Assert.Equal(["为什么", "香港", "应该", "共同主办", "世界人工智能合作组织"], segments.Select(s => s.Text));
        Assert.All(segments, s => Assert.NotNull(s.Entry));
    }

    [Fact]
    public void Translate_MapsToEnglishTermsAndDropsFunctionWords()
    {
        var t = ChineseQuestion.Translate("为什么香港应该共同主办世界人工智能合作组织？", Terms);
        Assert.True(t.IsChinese);
        Assert.False(t.Traditional);
        Assert.Equal("why Hong Kong should co-host World Artificial Intelligence Cooperation Organisation", t.English);
        Assert.Empty(t.Unknown);
        Assert.Equal("Hong Kong host", ChineseQuestion.Translate("香港的主办", Terms).English);
    }

    [Fact]
    public void Translate_Traditional_IsRecognised()
    {
        var t = ChineseQuestion.Translate("為什麼香港應該共同主辦世界人工智能合作組織？", Terms);
        Assert.True(t.Traditional);
        Assert.Equal("why Hong Kong should co-host World Artificial Intelligence Cooperation Organisation", t.English);
    }

    [Fact]
    public void Translate_MixedScripts_KeepsLatinWordsAndUnknownRuns()
    {
        var t = ChineseQuestion.Translate("香港的AI Verify测试是什么？", Terms);
        Assert.Equal(["AI Verify"], t.Segments.Where(s => !s.IsHan).Select(s => s.Text));
        Assert.Contains("测试是什么", t.Unknown);
        Assert.Equal("Hong Kong AI Verify 测试是什么", t.English);
    }

    [Fact]
    public void Translate_LoneUnknownIdeograph_IsDroppedAsParticle()
    {
        var t = ChineseQuestion.Translate("香港吧", Terms);
        Assert.Equal("Hong Kong", t.English);
        Assert.Equal(["吧"], t.Unknown);
    }

    [Fact]
    public void Translate_NoHan_ReturnsQuestionUnchanged()
    {
        var t = ChineseQuestion.Translate("Why should Hong Kong co-host?", Terms);
        Assert.False(t.IsChinese);
        Assert.Equal("Why should Hong Kong co-host?", t.English);
    }

    [Fact]
    public void Translate_SupplementaryPlaneIdeographs_NeverSplitSurrogates()
    {
        var t = ChineseQuestion.Translate("𠀀𠀁𠀂香港", Terms);
        Assert.Equal(["𠀀𠀁", "𠀂", "香港"], t.Segments.Select(s => s.Text));
        Assert.Equal("rare Hong Kong", t.English);
    }

    [Fact]
    public void Translate_HostileInput_IsLinearAndNeverThrows()
    {
        var rng = new Random(20261204);
        var sb = new StringBuilder();
        while (sb.Length < 100_000)
        {
            sb.Append((char)rng.Next(0x4E00, 0x9FFF));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var big = ChineseQuestion.Translate(sb.ToString(), Terms);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"100 KB took {started.Elapsed}");
        Assert.True(big.IsChinese);

        foreach (var hostile in new[] { "香港\u0000\u0007\u200B\uFEFF主办", "🤖香港🇭🇰主办💥", "\uD800香港\uDC00主办", "香港" + new string('！', 5000) + "主办", "Ω≈ç√∫ 香港 مرحبا שלום 主办" })
        {
            var t = ChineseQuestion.Translate(hostile, Terms);
            Assert.Contains("Hong Kong", t.English, StringComparison.Ordinal);
            Assert.Contains("host", t.English, StringComparison.Ordinal);
        }
    }
}
