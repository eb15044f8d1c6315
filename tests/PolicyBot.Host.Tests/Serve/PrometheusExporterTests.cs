using System.Diagnostics.Metrics;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Tests.Serve;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Render_CounterHistogramGauge_PrometheusTextFormat()
    {
        using var exporter = new PrometheusExporter();
        using var meter = new Meter("PolicyBot.ExporterTest." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("policybot.test.events", description: "Test events.");
        var histogram = meter.CreateHistogram<double>("policybot.test.latency", unit: "ms");
        var gauge = meter.CreateUpDownCounter<long>("policybot.test.inflight");
        var observed = 42;
        meter.CreateObservableGauge("policybot.test.observed", () => observed);
        using var other = new Meter("NotOurs");
        other.CreateCounter<long>("foreign.counter").Add(1);

        counter.Add(2, new KeyValuePair<string, object?>("kind", "a\"b"));
        counter.Add(3, new KeyValuePair<string, object?>("kind", "a\"b"));
        histogram.Record(3);
        histogram.Record(700);
        gauge.Add(5);
        gauge.Add(-2);

        var text = exporter.Render();
        Assert.Contains("# HELP policybot_test_events_total Test events.\n# TYPE policybot_test_events_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_events_total{kind=\"a\\\"b\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE policybot_test_latency_milliseconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_latency_milliseconds_bucket{le=\"2.5\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_latency_milliseconds_bucket{le=\"5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_latency_milliseconds_bucket{le=\"1000\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_latency_milliseconds_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_latency_milliseconds_sum 703\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_latency_milliseconds_count 2\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE policybot_test_inflight gauge\npolicybot_test_inflight 3\n", text, StringComparison.Ordinal);
        Assert.Contains("policybot_test_observed 42\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("foreign", text, StringComparison.Ordinal);
    }
}
