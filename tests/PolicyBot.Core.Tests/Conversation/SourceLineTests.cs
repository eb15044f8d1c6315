using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.Tests.Conversation;

public sealed class SourceLineTests
{
    [Theory]
    [InlineData("2025", "2025", DatePrecision.Year, "2025")]
    [InlineData("2025-09", "2025-09", DatePrecision.Month, "Sept 2025")]
    [InlineData("2025-9", "2025-09", DatePrecision.Month, "Sept 2025")]
    [InlineData("2024-07-12", "2024-07-12", DatePrecision.Day, "12 July 2024")]
    [InlineData("2023-01-26T10:00:00Z", "2023-01-26", DatePrecision.Day, "26 Jan 2023")]
    public void TryParse_EachPrecision_KeepsWhatIsKnown(string raw, string iso, DatePrecision precision, string display)
    {
        Assert.True(SourceDate.TryParse(raw, out var date));
        Assert.Equal(precision, date.Precision);
        Assert.Equal(iso, date.ToIso());
        Assert.Equal(display, date.ToDisplay());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("September 2025")]
    [InlineData("2025-13")]
    [InlineData("2025-02-30")]
    [InlineData("1850")]
    [InlineData("20250901")]
    [InlineData("'; DROP TABLE x; --")]
    [InlineData("二〇二五年")]
    public void TryParse_NotADate_False(string raw) => Assert.False(SourceDate.TryParse(raw, out _));

    [Fact]
    public void Compose_OpinionWithTwoAuthorsAndMonth_IsTheShortLine()
    {
        var source = new SourceReference
        {
            Outlet = "South China Morning Post",
            Authors = ["Alfons Futterer", "Zhonghua Sheng"],
            Headline = "Why Hong Kong should seek to co-host China's global AI centre",
            Published = new SourceDate(2025, 9, 1, DatePrecision.Month),
            Tier = SourceTier.Opinion,
        };

        Assert.Equal("South China Morning Post · Futterer & Sheng · opinion · Sept 2025", SourceLine.Compose(source));
    }

    [Fact]
    public void Compose_PrimaryWithoutAuthors_LeavesOutTheByline()
    {
        var source = new SourceReference
        {
            Outlet = "National Institute of Standards and Technology",
            Published = new SourceDate(2023, 1, 26, DatePrecision.Day),
            Tier = SourceTier.Primary,
            Url = new Uri("https://doi.org/10.6028/NIST.AI.100-1"),
        };

        Assert.Equal("National Institute of Standards and Technology · primary · 26 Jan 2023", SourceLine.Compose(source));
    }

    [Fact]
    public void Compose_UndatedPage_ShowsAsOf()
    {
        var source = new SourceReference { Outlet = "Bird & Bird", Tier = SourceTier.Analysis, AsOf = new SourceDate(2023, 8, 1, DatePrecision.Month) };
        Assert.Equal("Bird & Bird · analysis · as of Aug 2023", SourceLine.Compose(source));
    }

    [Fact]
    public void Compose_NothingKnown_Empty()
    {
        Assert.Equal("", SourceLine.Compose(null));
        Assert.Equal("", SourceLine.Compose(new SourceReference()));
    }

    [Fact]
    public void Compose_ControlCharactersAndNewlinesInOutlet_FoldedToOneLine()
    {
        var line = SourceLine.Compose(new SourceReference { Outlet = "Evil\nOutlet\u0000\u200b", Tier = SourceTier.News });
        Assert.Equal("Evil Outlet · news", line);
    }

    [Theory]
    [InlineData(new string[0], "")]
    [InlineData(new[] { "Alfons Futterer" }, "Futterer")]
    [InlineData(new[] { "Sheng, Zhonghua", "Alfons Futterer" }, "Sheng & Futterer")]
    [InlineData(new[] { "A One", "B Two", "C Three" }, "One et al.")]
    [InlineData(new[] { "Plato" }, "Plato")]
    [InlineData(new[] { "  ", "习近平" }, "习近平")]
    public void Bylines_FamilyNames(string[] authors, string expected) => Assert.Equal(expected, SourceLine.Bylines(authors));

    [Theory]
    [InlineData("primary", SourceTier.Primary)]
    [InlineData(" Opinion ", SourceTier.Opinion)]
    [InlineData("NOTE", SourceTier.Note)]
    public void TierNames_RoundTrip(string name, SourceTier tier)
    {
        Assert.True(SourceTiers.TryParse(name, out var parsed));
        Assert.Equal(tier, parsed);
        Assert.Equal(name.Trim().ToLowerInvariant(), SourceTiers.Name(parsed));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://example.org/x")]
    [InlineData("/relative")]
    [InlineData("")]
    public void HttpUrl_NotHttp_Null(string raw) => Assert.Null(SourceReference.HttpUrl(raw));

    [Fact]
    public void Citation_SourceLineText_PrefersReferenceAndItsUrl()
    {
        var citation = new Citation(1, "T", "S", "free text (opinion, 2025; remarks)", "P", 1, "a.md#0", "a.md")
        {
            Published = "2025-09",
            Reference = new SourceReference { Outlet = "SCMP", Url = new Uri("https://example.org/a"), Tier = SourceTier.Opinion },
        };
        Assert.Equal("SCMP · opinion", citation.SourceLineText);
        Assert.Equal("https://example.org/a", citation.SourceUrl!.AbsoluteUri);
        Assert.DoesNotContain("remarks", citation.SourceLineText, StringComparison.Ordinal);

        var bare = citation with { Reference = null };
        Assert.Equal("Sept 2025", bare.SourceLineText);
        Assert.Null(bare.SourceUrl);
    }
}
