using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using PolicyBot.Core.Operations;
using PolicyBot.Host.Configuration;

namespace PolicyBot.Host.Serve;

/// <summary>
/// The one metrics pipeline of a serve host: an OpenTelemetry MeterProvider owned by the host's service provider, listening to
/// the host's meters (<see cref="TelemetrySettings.MeterScope"/>), read by the Prometheus scrape endpoint on /metrics and,
/// when the telemetry settings name an endpoint, pushed over OTLP by the same provider. Disposing the host flushes the last values.
/// </summary>
internal static partial class Telemetry
{
    // Today's latency buckets (milliseconds), kept so dashboards built on /metrics keep their le="…" series.
    private static readonly double[] MillisecondBuckets = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

    public static void AddPolicyBotTelemetry(this IServiceCollection services, IConfiguration configuration, OtlpSettings? otlp)
    {
        services.AddOptions<TelemetrySettings>()
            .Bind(configuration.GetSection(SettingKeys.TelemetrySection))
            .Validate(t => ScopedMeterFactory.IsValidScope(t.MeterScope), ScopedMeterFactory.ScopeRule)
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<IMeterFactory>(sp => new ScopedMeterFactory(sp.GetRequiredService<IOptions<TelemetrySettings>>().Value.MeterScope));
        var metrics = services.AddOpenTelemetry().WithMetrics(m =>
        {
            m.AddView(instrument => instrument.Unit == "ms" && instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>)
                ? new ExplicitBucketHistogramConfiguration { Boundaries = MillisecondBuckets }
                : null);
            m.AddPrometheusExporter(o =>
            {
                // Every scrape sees the values as they are now (the default caches a response for 300 ms).
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                // Keep today's series: no otel_scope_* labels on every line, no target_info family.
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            });
            if (otlp is not null)
            {
                m.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = otlp.Endpoint;
                    exporter.Protocol = otlp.Protocol;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
                });
            }

            // The meter names are known once the host's configuration is final (tests give each host its own scope).
            ((IDeferredMeterProviderBuilder)m).Configure((sp, builder) =>
            {
                var scope = sp.GetRequiredService<IOptions<TelemetrySettings>>().Value.MeterScope;
                // The product's meters: "PolicyBot", "PolicyBot.Discord", "PolicyBot.Teams", renamed by the host's factory.
                builder.AddMeter(scope, scope + ".*");
                if (otlp is not null)
                {
                    LogExporting(sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Telemetry)), otlp.Endpoint.GetLeftPart(UriPartial.Authority), otlp.Protocol.ToString(), otlp.Interval.TotalSeconds);
                }
            });
        });
    }

    /// <summary>Maps /metrics and creates the MeterProvider now, so nothing recorded while the host starts is lost.</summary>
    public static void MapPolicyBotMetrics(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<MeterProvider>();
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    [LoggerMessage(EventId = 6640, Level = LogLevel.Information, Message = "Exporting metrics over OTLP to {Endpoint} ({Protocol}) every {Seconds} s")]
    private static partial void LogExporting(ILogger logger, string endpoint, string protocol, double seconds);
}

/// <summary>
/// The host's <see cref="IMeterFactory"/>: creates the product meters under the host's scope name ("PolicyBot" → scope,
/// "PolicyBot.Discord" → scope + ".Discord"). Hand-written because the runtime's default factory cannot rename, and the
/// OpenTelemetry SDK selects meters by name process-wide: two hosts in one process (tests) need different names to stay apart.
/// Instrument names (and so metric names) do not change.
/// </summary>
internal sealed class ScopedMeterFactory(string scope) : IMeterFactory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Name, string? Version), Meter> _meters = [];
    private bool _disposed;

    public const string ScopeRule = "{MeterScope} must be 1–100 ASCII letters, digits, '.', '_' or '-', starting with a letter.";

    public static bool IsValidScope(string? scope) =>
        scope is { Length: > 0 and <= 100 } && char.IsAsciiLetter(scope[0]) && scope.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public static string Rename(string name, string scope) =>
        name == PolicyBotMetrics.MeterName ? scope
        : name.StartsWith(PolicyBotMetrics.MeterName + ".", StringComparison.Ordinal) ? scope + name[PolicyBotMetrics.MeterName.Length..]
        : name;

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = Rename(options.Name, scope);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var shared = options.Tags is null || !options.Tags.Any();
            if (shared && _meters.TryGetValue((name, options.Version), out var existing))
            {
                return existing;
            }

            var meter = new Meter(new MeterOptions(name) { Version = options.Version, Tags = options.Tags, Scope = this });
            if (shared)
            {
                _meters[(name, options.Version)] = meter;
            }

            return meter;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var meter in _meters.Values)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}

/// <summary>The telemetry settings serve checks and the OTLP export it reads; null from <see cref="Read"/> when no endpoint is configured.</summary>
internal sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol, TimeSpan Interval)
{
    public static OtlpSettings? Read(TelemetrySettings telemetry, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(errors);
        if (!ScopedMeterFactory.IsValidScope(telemetry.MeterScope))
        {
            errors.Add(SettingKeys.Describe(SettingKeys.TelemetrySection, ScopedMeterFactory.ScopeRule));
        }

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
