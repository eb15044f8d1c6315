using System.Globalization;
using System.Text;

namespace PolicyBot.Host.Tests.Serve;

/// <summary>One sample line of a Prometheus text exposition: series name, labels, value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? this[string label] => Labels.GetValueOrDefault(label);
}

/// <summary>One metric family: its # TYPE, # HELP and samples.</summary>
internal sealed record PrometheusFamily(string Name, string Type, string? Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4) for the tests: every line must be a comment, blank, or a sample
/// <c>name{label="value",…} value [timestamp]</c> with escaped label values; anything else fails the test.
/// </summary>
internal static class PrometheusText
{
    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line == "# EOF")
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.Equal(2, parts.Length);
                Assert.True(types.TryAdd(parts[0], parts[1]), $"TYPE given twice for {parts[0]}");
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line[7..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                help[space < 0 ? rest : rest[..space]] = space < 0 ? "" : rest[(space + 1)..];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue; // # UNIT and other comments.
            }

            samples.Add(ParseSample(line));
        }

        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        foreach (var (name, type) in types)
        {
            var own = samples.Where(s => s.Name == name || (type is "histogram" or "summary" && (s.Name == name + "_bucket" || s.Name == name + "_sum" || s.Name == name + "_count"))).ToList();
            families[name] = new PrometheusFamily(name, type, help.GetValueOrDefault(name), own);
        }

        var orphans = samples.Where(s => !families.Values.Any(f => f.Samples.Contains(s))).Select(s => s.Name).Distinct().ToList();
        Assert.True(orphans.Count == 0, "samples without # TYPE: " + string.Join(", ", orphans));
        return families;
    }

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        Assert.True(i > 0, $"no metric name: {line}");
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", label);
                Assert.Equal('"', line[eq + 1]);
                i = eq + 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', var c => throw new FormatException($"bad escape \\{c} in {line}") });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice: {line}");
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        Assert.Equal(' ', line[i]);
        var fields = line[(i + 1)..].Split(' ');
        Assert.InRange(fields.Length, 1, 2);
        var number = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var f => double.Parse(f, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        if (fields.Length == 2)
        {
            Assert.True(long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _), $"bad timestamp: {line}");
        }

        return new PrometheusSample(name, labels, number);
    }

    /// <summary>The one sample of <paramref name="family"/> named <paramref name="series"/> with exactly these labels.</summary>
    public static PrometheusSample Single(this PrometheusFamily family, string series, params (string Key, string Value)[] labels) =>
        Assert.Single(family.Samples, s => s.Name == series && s.Labels.Count == labels.Length && labels.All(l => s[l.Key] == l.Value));
}
