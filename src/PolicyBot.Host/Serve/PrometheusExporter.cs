using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PolicyBot.Host.Serve;

/// <summary>
/// Collects every instrument of the meters whose name starts with "PolicyBot" (created by the host's meter factory) through a <see cref="MeterListener"/>
/// and renders them in the Prometheus text exposition format (0.0.4): counters as <c>_total</c>, up-down counters
/// and gauges as gauges, histograms with cumulative buckets, <c>_sum</c> and <c>_count</c>.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] MillisecondBuckets = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<Instrument, Series> _series = [];

    /// <param name="meterFactory">When given, only meters this factory created (this host's) are exported, so two hosts in one process never mix.</param>
    public PrometheusExporter(IMeterFactory? meterFactory = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("PolicyBot", StringComparison.Ordinal)
                && (meterFactory is null || ReferenceEquals(instrument.Meter.Scope, meterFactory)))
            {
                lock (_gate)
                {
                    _series.TryAdd(instrument, new Series(instrument));
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_gate)
            {
                _series.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = LabelKey(tags);
        lock (_gate)
        {
            if (_series.TryGetValue(instrument, out var series))
            {
                series.Record(key, value);
            }
        }
    }

    /// <summary>The current values as Prometheus text.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var sb = new StringBuilder();
        lock (_gate)
        {
            // Instruments of the same name from two meter instances (tests) are merged under one family.
            foreach (var group in _series.Values.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = group.First();
                sb.Append("# HELP ").Append(first.Name).Append(' ').Append(Escape(first.Instrument.Description ?? first.Instrument.Name, help: true)).Append('\n');
                sb.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
                foreach (var series in group)
                {
                    series.Write(sb);
                }
            }
        }

        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private static string LabelKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Key, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((SanitizeName(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(",", pairs.Select(p => $"{p.Key}=\"{Escape(p.Value, help: false)}\""));
    }

    internal static string SanitizeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    private static string Escape(string value, bool help)
    {
        var s = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return help ? s : s.Replace("\"", "\\\"", StringComparison.Ordinal);
    }

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series
    {
        private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Histo> _histograms = new(StringComparer.Ordinal);
        private readonly double[] _bounds;

        public Series(Instrument instrument)
        {
            Instrument = instrument;
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            var unit = instrument.Unit switch
            {
                "ms" => "_milliseconds",
                "s" => "_seconds",
                "By" => "_bytes",
                _ => "",
            };
            var baseName = SanitizeName(instrument.Name);
            if (generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>))
            {
                Type = "counter";
                Name = baseName + unit + "_total";
            }
            else if (generic == typeof(Histogram<>))
            {
                Type = "histogram";
                Name = baseName + unit;
            }
            else
            {
                Type = "gauge";
                Name = baseName + unit;
            }

            IsCumulative = generic == typeof(Counter<>) || generic == typeof(UpDownCounter<>);
            _bounds = instrument.Unit == "ms" ? MillisecondBuckets : DefaultBuckets;
        }

        public Instrument Instrument { get; }

        public string Name { get; }

        public string Type { get; }

        private bool IsCumulative { get; }

        public void Record(string key, double value)
        {
            if (Type == "histogram")
            {
                if (!_histograms.TryGetValue(key, out var h))
                {
                    h = new Histo(_bounds.Length);
                    _histograms[key] = h;
                }

                var i = 0;
                while (i < _bounds.Length && value > _bounds[i])
                {
                    i++;
                }

                h.Counts[i]++;
                h.Sum += value;
                h.Count++;
            }
            else if (IsCumulative)
            {
                _values[key] = _values.GetValueOrDefault(key) + value;
            }
            else
            {
                // Observable instruments report the current value (or running total) on each collection.
                _values[key] = value;
            }
        }

        public void Write(StringBuilder sb)
        {
            foreach (var (key, value) in _values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                sb.Append(Name);
                if (key.Length > 0)
                {
                    sb.Append('{').Append(key).Append('}');
                }

                sb.Append(' ').Append(Number(value)).Append('\n');
            }

            foreach (var (key, h) in _histograms.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var prefix = key.Length > 0 ? key + "," : "";
                long cumulative = 0;
                for (var i = 0; i <= _bounds.Length; i++)
                {
                    cumulative += h.Counts[i];
                    var le = i < _bounds.Length ? Number(_bounds[i]) : "+Inf";
                    sb.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(le).Append("\"} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                var labels = key.Length > 0 ? "{" + key + "}" : "";
                sb.Append(Name).Append("_sum").Append(labels).Append(' ').Append(Number(h.Sum)).Append('\n');
                sb.Append(Name).Append("_count").Append(labels).Append(' ').Append(h.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    private sealed class Histo(int bounds)
    {
        public long[] Counts { get; } = new long[bounds + 1];

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
