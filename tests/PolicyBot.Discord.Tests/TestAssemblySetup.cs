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

    /// <summary>
    /// Starts indexing the shared test corpus as soon as the assembly loads (not waited for here), so the one-time
    /// index build and the JIT of the engine are mostly done before the timing scenarios start.
    /// </summary>
    [ModuleInitializer]
    internal static void StartIndexingTestCorpus() => _ = Task.Run(() => TestCorpus.SharedAsync(CorpusSet.Chat));
}
