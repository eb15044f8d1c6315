using System.Globalization;
using Npgsql;
using PolicyBot.Core.State;

namespace PolicyBot.State.Postgres;

/// <summary>
/// Reads the database setting: <c>postgres://</c> / <c>postgresql://</c> URLs (libpq style, percent-encoded
/// user, password and database, <c>?sslmode=…</c> and other libpq parameters) or a plain Npgsql key=value string.
/// Error messages never repeat the value, which holds the password.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>An Npgsql connection string for <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">The value is neither form; the message names the setting, not the value.</exception>
    public static string Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        value = value.Trim();
        if (value.Length == 0)
        {
            throw Bad("is empty");
        }

        foreach (var scheme in (ReadOnlySpan<string>)["postgresql://", "postgres://"])
        {
            if (value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return FromUrl(value[scheme.Length..]);
            }
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw Bad("must start with postgres:// or postgresql:// (or be an Npgsql key=value string)");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException ex)
        {
            throw Bad("is neither a postgres:// URL nor an Npgsql connection string (Host=…;Database=…)", ex);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw Bad("names no host");
        }

        return builder.ConnectionString;
    }

    /// <summary>Where a connection string points, for logs: <c>user@host:port/database</c>, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var host = builder.Host ?? "";
        var port = host.Contains(',', StringComparison.Ordinal) ? "" : ":" + builder.Port.ToString(CultureInfo.InvariantCulture);
        return $"{builder.Username}@{host}{port}/{builder.Database}";
    }

    private static string FromUrl(string rest)
    {
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            rest = rest[..hash];
        }

        var query = "";
        var questionMark = rest.IndexOf('?', StringComparison.Ordinal);
        if (questionMark >= 0)
        {
            query = rest[(questionMark + 1)..];
            rest = rest[..questionMark];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var path = slash >= 0 ? rest[(slash + 1)..] : "";

        var builder = new NpgsqlConnectionStringBuilder();
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Unescape(colon >= 0 ? userInfo[..colon] : userInfo, "user name");
            if (user.Length > 0)
            {
                builder.Username = user;
            }

            if (colon >= 0)
            {
                builder.Password = Unescape(userInfo[(colon + 1)..], "password");
            }
        }

        SetHosts(builder, authority);
        if (path.Length > 0)
        {
            builder.Database = Unescape(path, "database name");
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Unescape(equals >= 0 ? pair[..equals] : pair, "query parameter");
            var value = equals >= 0 ? Unescape(pair[(equals + 1)..], $"'{key}' parameter") : "";
            SetParameter(builder, key, value);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            builder.Host = "localhost";
        }

        return builder.ConnectionString;
    }

    private static void SetHosts(NpgsqlConnectionStringBuilder builder, string authority)
    {
        if (authority.Length == 0)
        {
            return;
        }

        var hosts = authority.Split(',');
        var parsed = new List<(string Host, int? Port)>(hosts.Length);
        foreach (var item in hosts)
        {
            string host;
            string? port = null;
            if (item.StartsWith('['))
            {
                var close = item.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    throw Bad("has an unclosed '[' in its host");
                }

                host = item[1..close];
                var after = item[(close + 1)..];
                if (after.Length > 0)
                {
                    port = after.StartsWith(':') ? after[1..] : throw Bad("has text after an IPv6 host that is not a port");
                }
            }
            else
            {
                var colon = item.LastIndexOf(':');
                host = colon >= 0 ? item[..colon] : item;
                port = colon >= 0 ? item[(colon + 1)..] : null;
            }

            host = Unescape(host, "host");
            if (host.Length == 0)
            {
                throw Bad("has an empty host");
            }

            parsed.Add((host, port is null ? null : ParsePort(port)));
        }

        if (parsed.Count == 1)
        {
            builder.Host = parsed[0].Host;
            if (parsed[0].Port is { } single)
            {
                builder.Port = single;
            }

            return;
        }

        // Several hosts (failover / load balancing): Npgsql takes "h1:5432,h2:5433".
        builder.Host = string.Join(',', parsed.Select(h => h.Port is { } p ? $"{h.Host}:{p.ToString(CultureInfo.InvariantCulture)}" : h.Host));
    }

    private static void SetParameter(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key.ToLowerInvariant())
        {
            case "sslmode":
                builder.SslMode = value.ToLowerInvariant() switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw Bad("has an sslmode that is not disable, allow, prefer, require, verify-ca or verify-full"),
                };
                break;
            case "host":
                builder.Host = value;
                break;
            case "port":
                builder.Port = ParsePort(value);
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "dbname":
                builder.Database = value;
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "connect_timeout":
                builder.Timeout = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds
                    : throw Bad("has a connect_timeout that is not a whole number of seconds");
                break;
            case "options":
                builder.Options = value;
                break;
            case "search_path":
                builder.SearchPath = value;
                break;
            case "target_session_attrs":
                builder.TargetSessionAttributes = value;
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            case "sslcert":
                builder.SslCertificate = value;
                break;
            case "sslkey":
                builder.SslKey = value;
                break;
            case "sslpassword":
                builder.SslPassword = value;
                break;
            default:
                // Anything else Npgsql knows by name (e.g. "Maximum Pool Size", "Command Timeout").
                try
                {
                    builder[key] = value;
                }
                catch (ArgumentException ex)
                {
                    throw Bad($"has a query parameter '{key}' that is neither a libpq nor an Npgsql setting", ex);
                }

                break;
        }
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw Bad("has a port that is not a number from 1 to 65535");

    private static string Unescape(string text, string what)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            throw Bad($"has a badly percent-encoded {what}");
        }
    }

    private static FormatException Bad(string problem, Exception? inner = null) =>
        new($"{{Database}} {problem}.", inner);
}
