using System.Diagnostics.Metrics;

namespace PolicyBot.Teams;

/// <summary>Counters on the Meter <c>PolicyBot.Teams</c>.</summary>
internal sealed class TeamsMetrics
{
    public const string MeterName = "PolicyBot.Teams";

    private readonly Counter<long> _activities;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _throttled;

    public TeamsMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _activities = meter.CreateCounter<long>("policybot.teams.activities_received", description: "Activities received on /api/messages (after authentication).");
        _authFailures = meter.CreateCounter<long>("policybot.teams.auth_failures", description: "Requests rejected with 401.");
        _throttled = meter.CreateCounter<long>("policybot.teams.connector_throttled", description: "429 responses from the Bot Connector.");
    }

    public void ActivityReceived(string? type) => _activities.Add(1, new KeyValuePair<string, object?>("type", type ?? ""));

    public void AuthFailed() => _authFailures.Add(1);

    public void ConnectorThrottled() => _throttled.Add(1);
}
