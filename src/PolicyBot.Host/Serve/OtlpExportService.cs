using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using PolicyBot.Core.Operations;
using PolicyBot.Host.Configuration;

namespace PolicyBot.Host.Serve;

/// <summary>
/// Pushes the same instruments /metrics shows over OTLP when the telemetry settings name an endpoint
/// (protocol <c>grpc</c> or <c>http/protobuf</c>, export interval; headers as the SDK reads them). Stopping flushes the last values.
/// </summary>
internal sealed partial class OtlpExportService(OtlpSettings settings, ILogger<OtlpExportService> logger) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(PolicyBotMetrics.MeterName, "PolicyBot.Discord", "PolicyBot.Teams")
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = settings.Endpoint;
                exporter.Protocol = settings.Protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.Interval.TotalMilliseconds;
            })
            .Build();
        LogExporting(logger, settings.Endpoint.GetLeftPart(UriPartial.Authority), settings.Protocol.ToString(), settings.Interval.TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(5_000);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();

    [LoggerMessage(EventId = 6640, Level = LogLevel.Information, Message = "Exporting metrics over OTLP to {Endpoint} ({Protocol}) every {Seconds} s")]
    private static partial void LogExporting(ILogger logger, string endpoint, string protocol, double seconds);
}

/// <summary>The OTLP settings serve reads; null from <see cref="Read"/> when no endpoint is configured.</summary>
internal sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol, TimeSpan Interval)
{
    public static OtlpSettings? Read(TelemetrySettings telemetry, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            return null;
        }

        OtlpExportProtocol? protocol = telemetry.OtlpProtocol?.Trim().ToLowerInvariant() switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => null,
        };
        if (protocol is null)
        {
            errors.Add(SettingKeys.Describe(SettingKeys.TelemetrySection, "{OtlpProtocol} must be grpc or http/protobuf."));
        }

        if (telemetry.ExportInterval < TimeSpan.FromMilliseconds(100) || telemetry.ExportInterval > TimeSpan.FromHours(1))
        {
            errors.Add(SettingKeys.Describe(SettingKeys.TelemetrySection, "{ExportInterval} must be a whole number of milliseconds from 100 to 3600000."));
        }

        if (!Uri.TryCreate(telemetry.OtlpEndpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(SettingKeys.Describe(SettingKeys.TelemetrySection, "{OtlpEndpoint} must be an absolute http(s) URL such as http://collector:4317."));
            return null;
        }

        // The SDK appends /v1/metrics itself only for endpoints it read from the environment; an explicit endpoint is used as given.
        if (protocol == OtlpExportProtocol.HttpProtobuf && !uri.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal))
        {
            uri = new Uri(uri, uri.AbsolutePath.TrimEnd('/') + "/v1/metrics");
        }

        return protocol is null ? null : new OtlpSettings(uri, protocol.Value, telemetry.ExportInterval);
    }
}
