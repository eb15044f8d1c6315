using System.Text.Json.Nodes;

namespace PolicyBot.Discord.Tests.Commands;

/// <summary>Command registration scenarios DC-01/DC-02 and the install URL.</summary>
public sealed class CommandRegistrationTests
{
    private static string Manifest => Path.Combine(AppContext.BaseDirectory, "Fixtures", "commands.json");

    [Fact]
    public async Task DC01_RegisterCommands_PutsValidManifestIdempotently()
    {
        await using var h = await BotHarness.CreateAsync();
        using var output = new StringWriter();
        Assert.Equal(0, await DiscordSetup.RegisterCommandsAsync(h.Options, Manifest, null, output, CancellationToken.None));
        Assert.Equal(0, await DiscordSetup.RegisterCommandsAsync(h.Options, Manifest, "300000000000000003", output, CancellationToken.None));
        Assert.Equal(0, await DiscordSetup.RegisterCommandsAsync(h.Options, Manifest, null, output, CancellationToken.None));

        var puts = h.Fake.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal($"/applications/{FakeDiscord.ApplicationId}/commands", puts[0].Path);
        Assert.Equal($"/applications/{FakeDiscord.ApplicationId}/guilds/300000000000000003/commands", puts[1].Path);
        Assert.Equal(puts[0].Body, puts[2].Body);
        Assert.True(h.Fake.Violations.IsEmpty, string.Join("\n", h.Fake.Violations));
        Assert.Empty(CommandValidation.Validate(JsonNode.Parse(File.ReadAllText(Manifest))!.AsArray()));

        var names = JsonNode.Parse(puts[0].Body)!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["ask", "compare", "brief", "watch", "sources", "about", "config"], names);
        var ask = JsonNode.Parse(puts[0].Body)!.AsArray()[0]!;
        Assert.True(ask["options"]![0]!["autocomplete"]!.GetValue<bool>());
        Assert.Equal(5, ask["options"]![1]!["type"]!.GetValue<int>());
        Assert.Equal("32", JsonNode.Parse(puts[0].Body)!.AsArray()[6]!["default_member_permissions"]!.GetValue<string>());
        Assert.Contains("Registered 7 commands globally", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_EveryCommandHasOneHandler_AndEveryHandlerIsInTheManifest()
    {
        await using var h = await BotHarness.CreateAsync();
        var manifest = JsonNode.Parse(File.ReadAllText(Manifest))!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(manifest, h.Adapter.CommandNames.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task DC02_RegisterCommands_RateLimited_WaitsAndCompletes()
    {
        await using var h = await BotHarness.CreateAsync();
        h.Fake.InjectFor("PUT", "/applications/", FakeResponse.RateLimited(0.2));
        using var output = new StringWriter();
        Assert.Equal(0, await DiscordSetup.RegisterCommandsAsync(h.Options, Manifest, null, output, CancellationToken.None));
        var puts = h.Fake.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal(2, puts.Count);
        Assert.True((puts[1].RealTimestamp - puts[0].RealTimestamp) * 1.0 / System.Diagnostics.Stopwatch.Frequency >= 0.18, "waited retry_after (real clock: the CLI uses the system clock)");
    }

    [Fact]
    public async Task RegisterCommands_MissingApplicationId_ClearMessage()
    {
        using var output = new StringWriter();
        var code = await DiscordSetup.RegisterCommandsAsync(new DiscordOptions { Token = "abc", SettingName = p => "SETTING_" + p }, Manifest, null, output, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("SETTING_ApplicationId is not set", output.ToString(), StringComparison.Ordinal); // named as the host names it
    }

    [Fact]
    public void InviteUrl_HasScopesAndPermissions()
    {
        var url = DiscordSetup.InviteUrl("100000000000000001");
        Assert.StartsWith("https://discord.com/oauth2/authorize?client_id=100000000000000001", url, StringComparison.Ordinal);
        Assert.Contains("scope=bot%20applications.commands", url, StringComparison.Ordinal);
        Assert.Contains("permissions=309237730304", url, StringComparison.Ordinal);
        Assert.Equal(309237730304UL, DiscordSetup.BotPermissions);
    }
}
