using System.Globalization;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Operations;

namespace PolicyBot.Host.Configuration;

/// <summary>How a flat setting's text becomes the typed value its options property holds.</summary>
internal enum SettingKind
{
    Text,
    Secret,
    Path,
    PathList,
    Boolean,
    WholeNumber,
    Days,
    Seconds,
    Milliseconds,
    Rate,
    Shard,
    LogLevel,
}

/// <summary>
/// One operator setting: its flat name (environment variable / <c>.env</c> key, unchanged from earlier releases),
/// the options properties it fills (<c>Section:Property</c>), its default and the verbs that read it.
/// </summary>
internal sealed record Setting(string Name, SettingKind Kind, string Default, string Verbs, string Meaning, params string[] Targets)
{
    public bool IsSecret => Kind == SettingKind.Secret;
}

/// <summary>
/// The one key table: the only place that knows configuration key names. Every verb reads its settings through it;
/// docs/operations.md and .env.example list exactly these rows (a test keeps them in step).
/// </summary>
internal static class SettingKeys
{
    public const string IndexSection = "Index";
    public const string StateSection = "State";
    public const string AuditSection = "Audit";
    public const string DiscordSection = "Discord";
    public const string TeamsSection = "Teams";
    public const string LimitsSection = "Limits";
    public const string TelemetrySection = "Telemetry";
    public const string HttpSection = "Http";
    public const string AdminSection = "Admin";

    private const string AllVerbs = "all";
    private const string IndexVerbs = "index, ask, corpus, serve, audit, report";

    public static IReadOnlyList<Setting> All { get; } =
    [
        new("POLICYBOT_INDEX", SettingKind.Path, ".policybot/index", IndexVerbs, "Lucene index folder (an old-style ….db path means the folder beside it); the SQLite state file sits beside it (index.state.db). --index wins.", "Index:Path"),
        new("POLICYBOT_CORPUS", SettingKind.PathList, "./corpus", "index, ask, serve", "Corpus folders, separated by ':' (';' on Windows). --corpus wins.", "Index:Corpus"),
        new("POLICYBOT_SEMANTIC", SettingKind.Text, "on", "index, ask, eval, serve", "off: the lexical ranking alone; on: MiniLM passage vectors (cached beside the index) fused with it when the best lexical passage misses a question word (the model loads when first needed); always: fused for every question.", "Index:Semantic"),
        new("POLICYBOT_FUSION", SettingKind.Text, "blend", "ask, eval, serve", "blend (blend:W, W the semantic weight) or rrf (rrf:K) fusion of the two rankings.", "Index:Fusion"),
        new("POLICYBOT_LOG_LEVEL", SettingKind.LogLevel, "Warning (CLI verbs), Information (serve)", AllVerbs, "Trace, Debug, Information, Warning, Error, Critical or None.", "Telemetry:LogLevel"),
        new("POLICYBOT_HTTP_URL", SettingKind.Text, "http://0.0.0.0:3978", "serve", "Listener for /api/messages (Teams), /healthz, /readyz, /metrics.", "Http:Url", "Teams:HttpUrl"),

        new("DISCORD_TOKEN", SettingKind.Secret, "(none)", "serve, discord register-commands", "Bot token from the Developer Portal (without 'Bot '). Set: serve runs Discord.", "Discord:Token"),
        new("DISCORD_APPLICATION_ID", SettingKind.Text, "(learnt from READY)", "serve, discord", "Numeric application id.", "Discord:ApplicationId"),
        new("DISCORD_API_BASE_URL", SettingKind.Text, "https://discord.com/api/v10", "serve, discord register-commands", "Point the whole client at another server (a loopback fake).", "Discord:ApiBaseUrl"),
        new("POLICYBOT_SHARD_ID", SettingKind.Shard, "auto", "serve", "This process's Discord shard (0-based) or auto. --shard-id wins.", "Discord:ShardId"),
        new("POLICYBOT_SHARD_COUNT", SettingKind.Shard, "auto (from /gateway/bot)", "serve", "Total Discord shards or auto. --shard-count wins.", "Discord:ShardCount"),

        new("TEAMS_APP_ID", SettingKind.Text, "(none)", "serve", "Microsoft App ID of the Azure Bot. Set: serve runs Teams.", "Teams:AppId"),
        new("TEAMS_APP_PASSWORD", SettingKind.Secret, "(none)", "serve", "Client secret of the app registration; required with TEAMS_APP_ID.", "Teams:AppPassword"),
        new("TEAMS_TENANT_ID", SettingKind.Text, "(none)", "serve", "Entra tenant; required when TEAMS_APP_TYPE=SingleTenant.", "Teams:TenantId"),
        new("TEAMS_APP_TYPE", SettingKind.Text, "MultiTenant", "serve", "SingleTenant or MultiTenant.", "Teams:AppType"),
        new("TEAMS_OPENID_METADATA_URL", SettingKind.Text, "https://login.botframework.com/v1/.well-known/openidconfiguration", "serve", "Where inbound token signing keys are found.", "Teams:OpenIdMetadataUrl"),
        new("TEAMS_TOKEN_ENDPOINT", SettingKind.Text, "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token", "serve", "Outbound token endpoint; {tenant} is replaced.", "Teams:TokenEndpoint"),
        new("TEAMS_LOCAL_MODE", SettingKind.Boolean, "false", "serve", "true: no TEAMS_APP_ID, unauthenticated requests accepted from loopback only (Bot Framework Emulator). Refused unless POLICYBOT_HTTP_URL is loopback.", "Teams:LocalMode"),

        new("POLICYBOT_DATABASE", SettingKind.Secret, "(SQLite beside the index)", "serve, audit, report", "PostgreSQL URL (postgres://user:pass@host/db?sslmode=require) or Npgsql string, shared by replicas.", "State:Database"),
        new("POLICYBOT_USER_SALT", SettingKind.Secret, "(generated on first start, kept in the store)", "serve", "Salt for hashing user ids (16+ characters). Wins over the stored one.", "State:UserSalt"),
        new("POLICYBOT_AUDIT_DAYS", SettingKind.Days, "90", "serve", "Days questions are kept; 0 keeps them until deleted. Shown in /about and the Teams welcome.", "Audit:Retention", "Discord:AuditRetention", "Teams:AuditRetention"),
        new("POLICYBOT_AUDIT_RAW_IDS", SettingKind.Boolean, "false", "serve", "true stores raw user ids instead of salted hashes.", "Audit:RawUserIds"),

        new("POLICYBOT_RATE_USER", SettingKind.Rate, "5/60s", "serve", "Per-user burst / time to earn one more question (s, m or h).", "Limits:UserRate"),
        new("POLICYBOT_RATE_CHANNEL", SettingKind.Rate, "30/60s", "serve", "Per-channel limit, same form.", "Limits:ChannelRate"),
        new("POLICYBOT_RATE_SHARED", SettingKind.Boolean, "false", "serve", "true keeps rate buckets in the state store, shared by every process.", "Limits:SharedRateLimits"),
        new("POLICYBOT_MAX_CONCURRENT_ANSWERS", SettingKind.WholeNumber, "processor count (at least 2)", "serve", "Answers computed at once (1–1024).", "Limits:MaxConcurrentAnswers"),
        new("POLICYBOT_ANSWER_QUEUE", SettingKind.WholeNumber, "256", "serve", "Questions allowed to wait (0–100000); more are refused politely.", "Limits:QueueCapacity"),
        new("POLICYBOT_MAX_QUESTION_CHARS", SettingKind.WholeNumber, "(answering default)", "serve", "Longest question answered (10–100000 characters).", "Limits:MaxQuestionChars"),
        new("POLICYBOT_DRAIN_SECONDS", SettingKind.Seconds, "15", "serve", "On SIGTERM, how long answers in flight may take (0–600).", "Limits:DrainTimeout"),
        new("POLICYBOT_RELOAD_DEBOUNCE_MS", SettingKind.Milliseconds, "500", "serve", "Quiet time after a corpus change before the index refreshes (0–300000).", "Limits:ReloadDebounce"),

        new("POLICYBOT_ADMIN_TOKEN", SettingKind.Secret, "(none: dashboard off)", "serve", "Token that signs in to the /admin dashboard (16+ characters, e.g. openssl rand -hex 32). Set: /admin is served.", "Admin:Token"),
        new("POLICYBOT_ADMIN_LOCAL", SettingKind.Boolean, "false", "serve", "true: /admin without sign-in, served only to loopback clients asking for localhost (never together with POLICYBOT_ADMIN_TOKEN).", "Admin:LocalOnly"),
        new("POLICYBOT_ADMIN_STALE_DAYS", SettingKind.Days, "365", "serve", "The Corpus page marks documents published longer ago than this as stale.", "Admin:StaleAfter"),
        new("POLICYBOT_ADMIN_SIGNIN_PER_MINUTE", SettingKind.WholeNumber, "5", "serve", "Sign-in attempts per client address per minute (1–1000); more get 429.", "Admin:SignInAttemptsPerMinute"),

        new("OTEL_EXPORTER_OTLP_ENDPOINT", SettingKind.Text, "(no OTLP export)", "serve", "OTLP collector URL; set: metrics are pushed too.", "Telemetry:OtlpEndpoint"),
        new("OTEL_EXPORTER_OTLP_PROTOCOL", SettingKind.Text, "grpc", "serve", "grpc or http/protobuf.", "Telemetry:OtlpProtocol"),
        new("OTEL_METRIC_EXPORT_INTERVAL", SettingKind.Milliseconds, "60000", "serve", "OTLP export interval in milliseconds (100–3600000).", "Telemetry:ExportInterval"),
    ];

    private static readonly Dictionary<string, Setting> ByTarget = All
        .SelectMany(s => s.Targets.Select(t => (Target: t, Setting: s)))
        .ToDictionary(x => x.Target, x => x.Setting, StringComparer.OrdinalIgnoreCase);

    /// <summary>The setting that fills <paramref name="section"/>:<paramref name="property"/>, if any.</summary>
    public static Setting? ForProperty(string section, string property) =>
        ByTarget.TryGetValue(section + ":" + property, out var setting) ? setting : null;

    /// <summary>
    /// Names a property of <paramref name="section"/>'s options as the operator sets it (<c>Token</c> in the Discord
    /// section → <c>DISCORD_TOKEN</c>; unmapped: <c>Section:Property</c>): the libraries' <c>SettingName</c>.
    /// </summary>
    public static Func<string, string> NamesIn(string section) =>
        property => ForProperty(section, property)?.Name ?? section + ":" + property;

    /// <summary>
    /// An options validator's message with its <c>{Property}</c> placeholders replaced by the setting names
    /// (<c>{Token}</c> in the Discord section → <c>DISCORD_TOKEN</c>); unmapped ones become <c>Section:Property</c>.
    /// </summary>
    public static string Describe(string section, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var builder = new System.Text.StringBuilder(message.Length);
        var i = 0;
        while (i < message.Length)
        {
            var open = message.IndexOf('{', i);
            var close = open < 0 ? -1 : message.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                builder.Append(message, i, message.Length - i);
                break;
            }

            var name = message[(open + 1)..close];
            builder.Append(message, i, open - i);
            if (name.Length > 0 && name.All(char.IsAsciiLetterOrDigit) && char.IsUpper(name[0]))
            {
                builder.Append(ForProperty(section, name)?.Name ?? section + ":" + name);
            }
            else
            {
                builder.Append(message, open, close - open + 1);
            }

            i = close + 1;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The configuration entries <paramref name="value"/> stands for, or a problem naming the setting (never the value).
    /// Blank values mean "unset".
    /// </summary>
    public static (IReadOnlyList<KeyValuePair<string, string?>> Entries, string? Problem) Convert(Setting setting, string? value)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (string.IsNullOrWhiteSpace(value))
        {
            return ([], null);
        }

        var text = value.Trim();
        string? converted;
        switch (setting.Kind)
        {
            case SettingKind.Text or SettingKind.Path:
                converted = text;
                break;
            case SettingKind.Secret:
                // Secrets are taken as given (a salt or password may end in spaces on purpose); blank means unset.
                converted = value;
                break;
            case SettingKind.PathList:
                var parts = text.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return (Expand(setting, parts.Select((p, n) => (":" + n.ToString(CultureInfo.InvariantCulture), (string?)p))), null);
            case SettingKind.Boolean:
                converted = text.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" => "true",
                    "false" or "0" or "no" or "off" => "false",
                    _ => null,
                };
                if (converted is null)
                {
                    return ([], $"{setting.Name} must be true or false.");
                }

                break;
            case SettingKind.WholeNumber:
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    return ([], $"{setting.Name} must be a whole number.");
                }

                converted = number.ToString(CultureInfo.InvariantCulture);
                break;
            case SettingKind.Days or SettingKind.Seconds or SettingKind.Milliseconds:
                var (unit, max) = setting.Kind switch
                {
                    SettingKind.Days => ("days", 36_500L),
                    SettingKind.Seconds => ("seconds", 31_536_000L),
                    _ => ("milliseconds", 31_536_000_000L),
                };
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > max)
                {
                    return ([], $"{setting.Name} must be a whole number of {unit} from 0 to {max.ToString(CultureInfo.InvariantCulture)}.");
                }

                var span = setting.Kind switch
                {
                    SettingKind.Days => TimeSpan.FromDays(amount),
                    SettingKind.Seconds => TimeSpan.FromSeconds(amount),
                    _ => TimeSpan.FromMilliseconds(amount),
                };
                converted = span.ToString("c", CultureInfo.InvariantCulture);
                break;
            case SettingKind.Rate:
                if (RateLimit.Parse(text) is not { Capacity: >= 1 } rate)
                {
                    return ([], $"{setting.Name} must look like 5/60s: a burst size, a slash, and the time to earn one more question (s, m or h).");
                }

                return (Expand(setting, [
                    (":Capacity", rate.Capacity.ToString(CultureInfo.InvariantCulture)),
                    (":Per", rate.Per.ToString("c", CultureInfo.InvariantCulture)),
                ]), null);
            case SettingKind.Shard:
                if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
                {
                    return ([], null);
                }

                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var shard))
                {
                    return ([], $"{setting.Name} must be a whole number or 'auto'.");
                }

                converted = shard.ToString(CultureInfo.InvariantCulture);
                break;
            case SettingKind.LogLevel:
                if (!Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level) || !Enum.IsDefined(level) || text.All(char.IsAsciiDigit))
                {
                    return ([], $"{setting.Name} must be Trace, Debug, Information, Warning, Error, Critical or None.");
                }

                converted = level.ToString();
                break;
            default:
                throw new InvalidOperationException($"Unknown setting kind {setting.Kind}.");
        }

        return (Expand(setting, [("", converted)]), null);
    }

    private static List<KeyValuePair<string, string?>> Expand(Setting setting, IEnumerable<(string Suffix, string? Value)> values)
    {
        var list = values.ToList();
        return setting.Targets.SelectMany(t => list.Select(v => new KeyValuePair<string, string?>(t + v.Suffix, v.Value))).ToList();
    }
}
