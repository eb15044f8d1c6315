using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>The serve host's metrics pipeline (OpenTelemetry MeterProvider + Prometheus scrape endpoint) on real loopback HTTP.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_CounterHistogramGauges_PrometheusTextWithTodaysNamesAndBuckets()
    {
        var scope = "PolicyBotTest-" + Guid.NewGuid().ToString("N");
        await using var app = await StartAsync(scope);
        var meter = app.Services.GetRequiredService<IMeterFactory>().Create("PolicyBot");
        Assert.Equal(scope, meter.Name);
        var events = meter.CreateCounter<long>("policybot.test.events", description: "Test events.");
        var latency = meter.CreateHistogram<double>("policybot.test.latency", unit: "ms", description: "Test latency.");
        var inFlight = meter.CreateUpDownCounter<long>("policybot.test.inflight", description: "In flight.");
        meter.CreateObservableGauge("policybot.test.observed", () => 42L, description: "Observed.");
        events.Add(2, new KeyValuePair<string, object?>("kind", "a\"b\\c\nd"));
        events.Add(3, new KeyValuePair<string, object?>("kind", "a\"b\\c\nd"));
        events.Add(1, new KeyValuePair<string, object?>("kind", "Ünïcödé 政策"));
        latency.Record(3);
        latency.Record(700);
        inFlight.Add(5);
        inFlight.Add(-2);

        using var http = new HttpClient { BaseAddress = new Uri(Address(app)) };
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(
            ["policybot_test_events_total", "policybot_test_inflight", "policybot_test_latency_milliseconds", "policybot_test_observed"],
            families.Keys.Order(StringComparer.Ordinal));
        var counter = families["policybot_test_events_total"];
        Assert.Equal("counter", counter.Type);
        Assert.Equal("Test events.", counter.Help);
        Assert.Equal(2, counter.Samples.Count);
        Assert.Equal(5, counter.Single("policybot_test_events_total", ("kind", "a\"b\\c\nd")).Value);
        Assert.Equal(1, counter.Single("policybot_test_events_total", ("kind", "Ünïcödé 政策")).Value);

        var histogram = families["policybot_test_latency_milliseconds"];
        Assert.Equal("histogram", histogram.Type);
        double[] bounds = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, double.PositiveInfinity];
        var buckets = histogram.Samples.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToList();
        Assert.Equal(bounds.Length, buckets.Count);
        foreach (var bound in bounds)
        {
            var le = double.IsPositiveInfinity(bound) ? "+Inf" : bound.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(bound < 5 ? 0 : bound < 1000 ? 1 : 2, histogram.Single("policybot_test_latency_milliseconds_bucket", ("le", le)).Value);
        }

        Assert.Equal(703, histogram.Single("policybot_test_latency_milliseconds_sum").Value);
        Assert.Equal(2, histogram.Single("policybot_test_latency_milliseconds_count").Value);
        Assert.Equal("gauge", families["policybot_test_inflight"].Type);
        Assert.Equal(3, families["policybot_test_inflight"].Single("policybot_test_inflight").Value);
        Assert.Equal("gauge", families["policybot_test_observed"].Type);
        Assert.Equal(42, families["policybot_test_observed"].Single("policybot_test_observed").Value);
    }

    [Fact]
    public async Task Metrics_TwoHostsInOneProcess_EachCountsOnlyItsOwn()
    {
        await using var first = await StartAsync("PolicyBotTest-" + Guid.NewGuid().ToString("N"));
        await using var second = await StartAsync("PolicyBotTest-" + Guid.NewGuid().ToString("N"));
        // The same product meter name in both hosts, as PolicyBotMetrics / DiscordMetrics create them.
        first.Services.GetRequiredService<IMeterFactory>().Create("PolicyBot.Discord").CreateCounter<long>("policybot.test.isolated").Add(1);
        second.Services.GetRequiredService<IMeterFactory>().Create("PolicyBot.Discord").CreateCounter<long>("policybot.test.isolated").Add(7);
        // A meter outside any host (CLI verbs create these) under the product name.
        using var loose = new Meter("PolicyBot");
        loose.CreateCounter<long>("policybot.test.isolated").Add(100);

        using var http = new HttpClient();
        var one = PrometheusText.Parse(await http.GetStringAsync(Address(first) + "/metrics"));
        var two = PrometheusText.Parse(await http.GetStringAsync(Address(second) + "/metrics"));
        Assert.Equal(1, Assert.Single(one["policybot_test_isolated_total"].Samples).Value);
        Assert.Equal(7, Assert.Single(two["policybot_test_isolated_total"].Samples).Value);
    }

    [Theory]
    [InlineData("PolicyBot", "PolicyBot", "PolicyBot")]
    [InlineData("PolicyBot", "PolicyBot.Discord", "PolicyBot.Discord")]
    [InlineData("Host-7", "PolicyBot", "Host-7")]
    [InlineData("Host-7", "PolicyBot.Teams", "Host-7.Teams")]
    [InlineData("Host-7", "PolicyBotish", "PolicyBotish")]
    [InlineData("Host-7", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Hosting")]
    public void ScopedMeterFactory_RenamesOnlyTheProductPrefix(string scope, string meter, string expected)
    {
        using var factory = new ScopedMeterFactory(scope);
        var created = factory.Create(meter);
        Assert.Equal(expected, created.Name);
        Assert.Same(factory, created.Scope);
        Assert.Same(created, factory.Create(meter));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("has space")]
    [InlineData("star*")]
    [InlineData("政策")]
    public void Build_BadMeterScope_RefusedNamingTheSetting(string scope)
    {
        Assert.False(ScopedMeterFactory.IsValidScope(scope));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Telemetry:MeterScope"] = scope;
        builder.Services.AddPolicyBotTelemetry(builder.Configuration, otlp: null);
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => builder.Build());
        Assert.Contains("{MeterScope}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(scope.Length > 0 ? scope : "\u0000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServeBuild_BadMeterScopeInAppsettings_ServeConfigurationProblem()
    {
        using var corpus = new TestCorpus();
        var folder = Directory.CreateTempSubdirectory("policybot-scope-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "appsettings.json"), """{"Telemetry":{"MeterScope":"no spaces allowed"}}""");
            var problems = new List<string>();
            var loaded = PolicyBot.Host.Configuration.PolicyBotConfiguration.Load(folder.FullName, [], readEnvironment: false);
            Assert.Equal("no spaces allowed", loaded.Settings.Telemetry.MeterScope);
            Assert.Null(OtlpSettings.Read(loaded.Settings.Telemetry, problems));
            Assert.Contains(problems, p => p.Contains("Telemetry:MeterScope", StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<WebApplication> StartAsync(string scope)
    {
        var builder = Loopback.CreateBuilder();
        builder.Configuration["Telemetry:MeterScope"] = scope;
        builder.Services.AddPolicyBotTelemetry(builder.Configuration, otlp: null);
        var app = builder.Build();
        app.MapPolicyBotMetrics();
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app) =>
        Loopback.BaseUrl(app);
}
