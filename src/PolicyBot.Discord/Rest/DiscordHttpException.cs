using System.Net;

namespace PolicyBot.Discord.Rest;

/// <summary>A Discord REST failure with the wire details: HTTP status, Discord's JSON error code, the route (tokens redacted).</summary>
public sealed class DiscordHttpException : Exception
{
    public DiscordHttpException(HttpStatusCode status, int? discordCode, string? discordMessage, string method, string route)
        : base($"Discord {method} {route} failed with HTTP {(int)status}{(discordCode is { } c ? $", code {c}" : "")}: {discordMessage ?? status.ToString()}")
    {
        Status = status;
        DiscordCode = discordCode;
        Route = route;
    }

    public DiscordHttpException()
    {
    }

    public DiscordHttpException(string message)
        : base(message)
    {
    }

    public DiscordHttpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode Status { get; }

    /// <summary>Discord's JSON error code (10062 unknown interaction, 50013 missing permissions, …).</summary>
    public int? DiscordCode { get; }

    /// <summary>Method-less route template with ids kept and tokens replaced by <c>{token}</c>.</summary>
    public string Route { get; } = "";
}
