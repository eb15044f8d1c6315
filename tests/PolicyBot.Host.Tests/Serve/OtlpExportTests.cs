using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Host.Tests.Serve;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Serve_OtlpEndpointSet_PushesPolicyBotMetricsOverHttpProtobuf()
    {
        // A loopback OTLP/HTTP collector that records what it receives.
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        await using var collector = Loopback.CreateBuilder().Build();
        collector.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            received.Enqueue((context.Request.Path, context.Request.ContentType ?? "", buffer.ToArray()));
            return Results.Ok();
        });
        var collectorUrl = await Loopback.StartAsync(collector);

        using var corpus = new TestCorpus(CorpusSet.Widgets);
        await using var host = await ServeTestHost.StartAsync(corpus, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collectorUrl,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        var answer = await host.Answerer.AnswerAsync(new Question(CorpusQuestions.Widgets.Fine, new QuestionContext("discord", "g", "c", "u")), CancellationToken.None);
        Assert.Equal(AnswerOutcome.Answered, answer.Outcome);

        var needle = Encoding.UTF8.GetBytes("policybot.questions");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!received.Any(r => r.Body.AsSpan().IndexOf(needle) >= 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var export = Assert.Single(received.Where(r => r.Body.AsSpan().IndexOf(needle) >= 0).Take(1));
        Assert.Equal("/v1/metrics", export.Path);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(export.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes("policybot.answer.duration")) >= 0);
    }

    [Fact]
    public void Build_BadOtlpProtocol_NamesTheSetting()
    {
        using var corpus = new TestCorpus();
        var ex = Assert.Throws<PolicyBot.Host.Serve.ServeConfigurationException>(() => PolicyBot.Host.Serve.ServeHost.Build(
            new PolicyBot.Host.Serve.ServeSettings { Engine = corpus.Options() },
            false,
            true,
            new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "carrier-pigeon", ["POLICYBOT_HTTP_URL"] = "http://127.0.0.1:0" }));
        Assert.Contains(ex.Problems, p => p.StartsWith("OTEL_EXPORTER_OTLP_PROTOCOL", StringComparison.Ordinal));
    }
}
