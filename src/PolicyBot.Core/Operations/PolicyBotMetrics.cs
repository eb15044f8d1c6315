using System.Diagnostics.Metrics;
using PolicyBot.Core.Conversation;

namespace PolicyBot.Core.Operations;

/// <summary>
/// Instruments under the meter "PolicyBot": questions by platform and outcome, answer latency, refusals by
/// reason, index builds and their duration, skipped corpus files. Exported by the host (Prometheus text, OTLP).
/// </summary>
public sealed class PolicyBotMetrics : IDisposable
{
    public const string MeterName = "PolicyBot";

    private readonly Meter _meter;
    private readonly Counter<long> _questions;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _indexBuilds;
    private readonly Histogram<double> _indexBuildTime;
    private readonly Counter<long> _skippedFiles;
    private readonly UpDownCounter<long> _inFlight;

    public PolicyBotMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _questions = _meter.CreateCounter<long>("policybot.questions", description: "Questions received, by platform and outcome (answered, abstained, refused).");
        _latency = _meter.CreateHistogram<double>("policybot.answer.duration", unit: "ms", description: "Time from receiving a question to its answer.");
        _refused = _meter.CreateCounter<long>("policybot.questions.refused", description: "Questions refused before answering, by reason.");
        _indexBuilds = _meter.CreateCounter<long>("policybot.index.builds", description: "Index refreshes, by result (ok, failed).");
        _indexBuildTime = _meter.CreateHistogram<double>("policybot.index.build.duration", unit: "ms", description: "Time an index refresh took.");
        _skippedFiles = _meter.CreateCounter<long>("policybot.index.skipped_files", description: "Corpus files skipped by refreshes (broken, too big, unreadable).");
        _inFlight = _meter.CreateUpDownCounter<long>("policybot.answers.in_flight", description: "Questions being answered or waiting for a slot.");
    }

    public Meter Meter => _meter;

    public void Question(string platform, AnswerOutcome outcome, TimeSpan elapsed)
    {
        var p = new KeyValuePair<string, object?>("platform", platform);
        var o = new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant());
        _questions.Add(1, p, o);
        _latency.Record(elapsed.TotalMilliseconds, p, o);
    }

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void IndexBuilt(TimeSpan elapsed, bool ok, int skipped)
    {
        _indexBuilds.Add(1, new KeyValuePair<string, object?>("result", ok ? "ok" : "failed"));
        _indexBuildTime.Record(elapsed.TotalMilliseconds);
        if (skipped > 0)
        {
            _skippedFiles.Add(skipped);
        }
    }

    public void InFlight(int delta) => _inFlight.Add(delta);

    public void Dispose() => _meter.Dispose();
}
