using PolicyBot.Core.State;
using PolicyBot.State;
using PolicyBot.State.Sqlite;

namespace PolicyBot.State.Tests;

public sealed class BotStorePathsTests
{
    [Fact]
    public void StateFileFor_IndexFile_IsStateDbBesideIt()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pb-paths");

        Assert.Equal(Path.Combine(folder, "index.state.db"), BotStorePaths.StateFileFor(Path.Combine(folder, "index.db")));
        Assert.Equal(Path.Combine(folder, "corpus.state.db"), BotStorePaths.StateFileFor(Path.Combine(folder, "corpus")));
    }

    [Fact]
    public void StateFileFor_RelativePath_IsMadeAbsolute()
    {
        var state = BotStorePaths.StateFileFor(Path.Combine(".policybot", "index.db"));

        Assert.True(Path.IsPathFullyQualified(state));
        Assert.Equal(Path.GetFullPath(Path.Combine(".policybot", "index.state.db")), state);
    }

    [Fact]
    public void StateFileFor_EmptyPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => BotStorePaths.StateFileFor(" "));
    }
}

public sealed class UserIdHasherTests
{
    private const string Salt = "0123456789abcdef-salt";

    [Fact]
    public void Hash_KnownSaltAndId_IsHmacSha256Hex()
    {
        // python3: hmac.new(b'0123456789abcdef-salt', b'user-42', hashlib.sha256).hexdigest()
        Assert.Equal("0edbdd91c2e4ceaa37c701aaa8b295f3e7b31456bb52d126d7ab8d2dd46eb9b3", UserIdHasher.WithSalt(Salt).Hash("user-42"));
    }

    [Fact]
    public void Hash_DifferentSaltsOrIds_Differ()
    {
        var a = UserIdHasher.WithSalt(Salt);
        var b = UserIdHasher.WithSalt(Salt + "x");

        Assert.Equal(a.Hash("123"), a.Hash("123"));
        Assert.NotEqual(a.Hash("123"), b.Hash("123"));
        Assert.NotEqual(a.Hash("123"), a.Hash("124"));
        Assert.DoesNotContain("123", a.Hash("123"), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{64}$", a.Hash("ユーザー🤖"));
        Assert.Null(a.Hash(null));
        Assert.False(a.StoresRawIds);
    }

    [Fact]
    public void CreateHasher_RawIdsOptedIn_ReturnsIdsUnchanged()
    {
        var hasher = StateServiceCollectionExtensions.CreateHasher(new BotStateOptions { UserSalt = Salt }, new AuditOptions { RawUserIds = true });

        Assert.True(hasher.StoresRawIds);
        Assert.Equal("29:1abc-def", hasher.Hash("29:1abc-def"));
    }

    [Fact]
    public void WithSalt_TooShort_ThrowsNamingTheMinimum()
    {
        var ex = Assert.Throws<ArgumentException>(() => UserIdHasher.WithSalt("short"));
        Assert.Contains("salt", ex.Message, StringComparison.Ordinal);
        Assert.Contains(UserIdHasher.MinimumSaltLength.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AwaitingSalt_HashesNothingUntilGivenItsSaltThenMatchesWithSaltAndTakesItOnce()
    {
        var hasher = StateServiceCollectionExtensions.CreateHasher(new BotStateOptions(), new AuditOptions());

        Assert.False(hasher.HasSalt);
        Assert.Null(hasher.Hash(null));
        Assert.Throws<InvalidOperationException>(() => hasher.Hash("u"));
        hasher.UseSalt(Salt);
        Assert.True(hasher.HasSalt);
        Assert.Equal(UserIdHasher.WithSalt(Salt).Hash("u"), hasher.Hash("u"));
        Assert.Throws<InvalidOperationException>(() => hasher.UseSalt(Salt + "-other"));
        Assert.Throws<InvalidOperationException>(() => UserIdHasher.RawIds.UseSalt(Salt));
        Assert.Throws<ArgumentException>(() => UserIdHasher.AwaitingSalt().UseSalt("short"));
    }

    [Fact]
    public void Validator_NoSalt_IsFineBecauseTheStoreGeneratesOne_ShortSaltNamed()
    {
        Assert.True(new BotStateOptionsValidator().Validate(null, new BotStateOptions()).Succeeded);
        Assert.True(new BotStateOptionsValidator().Validate(null, new BotStateOptions { UserSalt = Salt }).Succeeded);
        var result = new BotStateOptionsValidator().Validate(null, new BotStateOptions { UserSalt = "tiny" });
        Assert.True(result.Failed);
        Assert.Contains("{UserSalt}", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("tiny", result.FailureMessage, StringComparison.Ordinal);
    }
}

public sealed class StoreValuesTests
{
    [Fact]
    public void Clean_Text_KeepsValidUnicodeAndReplacesTheRest()
    {
        // In code, not [InlineData]: attribute data cannot carry lone surrogates intact.
        (string Input, string Expected)[] cases =
        [
            ("plain", "plain"),
            ("🤖 emoji pair", "🤖 emoji pair"),
            ("a\0b", "a\uFFFDb"),
            ("lone \uD83E end", "lone \uFFFD end"),
            ("\uDC00first", "\uFFFDfirst"),
            ("last\uD800", "last\uFFFD"),
        ];

        Assert.All(cases, c => Assert.Equal(c.Expected, StoreValues.Clean(c.Input)));
        Assert.Same(cases[1].Input, StoreValues.Clean(cases[1].Input));
    }

    [Fact]
    public void Microseconds_RoundTrip_TruncatesSubMicrosecondTicks()
    {
        var value = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(9)).AddTicks(12_345_678);

        var back = StoreValues.FromMicroseconds(StoreValues.ToMicroseconds(value));

        Assert.Equal(value.AddTicks(-8), back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
    }
}
