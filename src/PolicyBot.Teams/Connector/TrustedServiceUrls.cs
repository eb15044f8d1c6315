using System.Collections.Concurrent;

namespace PolicyBot.Teams.Connector;

/// <summary>
/// Service URLs that arrived on activities whose token validated (the <c>serviceurl</c> claim binds them).
/// The bot's bearer token is only ever sent to these.
/// </summary>
internal sealed class TrustedServiceUrls
{
    private readonly ConcurrentDictionary<string, byte> _urls = new(StringComparer.Ordinal);

    public void Trust(string serviceUrl)
    {
        if (Normalize(serviceUrl) is { } key)
        {
            _urls.TryAdd(key, 0);
        }
    }

    public bool IsTrusted(string serviceUrl) => Normalize(serviceUrl) is { } key && _urls.ContainsKey(key);

    private static string? Normalize(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttps && u.Scheme != Uri.UriSchemeHttp))
        {
            return null;
        }

        return $"{u.Scheme}://{u.Host.ToLowerInvariant()}:{u.Port}{u.AbsolutePath.TrimEnd('/').ToLowerInvariant()}";
    }
}
