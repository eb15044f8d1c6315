namespace PolicyBot.Discord.Tests.Protocol;

public sealed class FixtureParseTests
{
    [Theory]
    [InlineData("interaction_create_ask.json")]
    [InlineData("interaction_create_button.json")]
    [InlineData("interaction_create_autocomplete.json")]
    public void RecordedInteraction_Deserializes(string name)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
        var interaction = System.Text.Json.JsonSerializer.Deserialize<PolicyBot.Discord.Protocol.Interaction>(json, PolicyBot.Discord.Protocol.DiscordJson.Options)!;
        Assert.Equal("500000000000000005", interaction.Invoker!.Id);
        Assert.NotNull(interaction.Data);
    }
}
