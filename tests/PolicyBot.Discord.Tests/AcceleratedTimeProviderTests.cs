
namespace PolicyBot.Discord.Tests;

public sealed class AcceleratedTimeProviderTests
{
    [Fact]
    public async Task Delay_Accelerated_NeverFiresEarlyInVirtualTime()
    {
        var time = new AcceleratedTimeProvider(20);
        for (var i = 0; i < 5; i++)
        {
            var before = time.GetUtcNow();
            await Task.Delay(TimeSpan.FromSeconds(5), time);
            var elapsed = time.GetUtcNow() - before;
            Assert.True(elapsed >= TimeSpan.FromSeconds(4.95), $"elapsed {elapsed.TotalSeconds:0.000}");
        }
    }
}
