using System.Runtime.CompilerServices;

namespace PolicyBot.Discord.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// The fake Discord and the bot share one process on a 2-core machine while test classes run in parallel; a
    /// larger thread-pool floor keeps Kestrel's request handling from starving, so the fake timestamps requests
    /// when they arrive rather than when a thread frees up.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseThreadPoolFloor() => ThreadPool.SetMinThreads(64, 64);
}
