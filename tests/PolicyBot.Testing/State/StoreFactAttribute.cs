using System.Collections.Concurrent;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace PolicyBot.Testing.State;

/// <summary>Marks a test class whose tests need the PostgreSQL server named by <c>POLICYBOT_TEST_DATABASE</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>
/// A [Fact] that, in a <see cref="RequiresPostgresAttribute"/> class, is reported as skipped (with the reason)
/// only when the operator explicitly set <c>POLICYBOT_SKIP_POSTGRES=1</c> and no test database is configured.
/// Without that opt-out the tests run and fail, telling how to start PostgreSQL.
/// </summary>
[XunitTestCaseDiscoverer("PolicyBot.Testing.State.StoreFactDiscoverer", "PolicyBot.Testing")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private static readonly ConcurrentDictionary<string, bool> Announced = new(StringComparer.Ordinal);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        ArgumentNullException.ThrowIfNull(testMethod);
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any();
        if (needsPostgres && PostgresTestEnvironment.SkipReason is { } reason)
        {
            // Printed once per class (xunit.runner.json turns diagnostic messages on); each test shows as skipped.
            if (Announced.TryAdd(testMethod.TestClass.Class.Name, true))
            {
                diagnosticMessageSink.OnMessage(new DiagnosticMessage($"{testMethod.TestClass.Class.Name}: {reason}"));
            }

            return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)];
        }

        return [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)];
    }
}
