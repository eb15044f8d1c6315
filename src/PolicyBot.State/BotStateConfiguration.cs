using System.Globalization;
using Microsoft.Extensions.Configuration;
using PolicyBot.Core.State;

namespace PolicyBot.State;

/// <summary>Reads <see cref="BotStateOptions"/> from configuration keys named like the environment variables.</summary>
public static class BotStateConfiguration
{
    /// <summary>Fills <paramref name="options"/>; a malformed value throws naming its setting (never echoing the database URL).</summary>
    public static void Bind(IConfiguration configuration, BotStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);

        var database = configuration[BotStateOptions.DatabaseSetting];
        options.Database = string.IsNullOrWhiteSpace(database) ? null : database.Trim();

        var days = configuration[BotStateOptions.AuditDaysSetting];
        if (!string.IsNullOrWhiteSpace(days))
        {
            options.AuditRetention = int.TryParse(days.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= 36_500
                ? TimeSpan.FromDays(parsed)
                : throw new InvalidOperationException(
                    $"{BotStateOptions.AuditDaysSetting} must be a whole number of days from 0 (keep forever) to 36500; got '{days}'.");
        }

        var salt = configuration[BotStateOptions.UserSaltSetting];
        options.UserSalt = string.IsNullOrEmpty(salt) ? null : salt;

        var raw = configuration[BotStateOptions.RawUserIdsSetting];
        if (!string.IsNullOrWhiteSpace(raw))
        {
            options.RawUserIds = raw.Trim().ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new InvalidOperationException($"{BotStateOptions.RawUserIdsSetting} must be true or false; got '{raw}'."),
            };
        }
    }

    /// <summary>New options read from <paramref name="configuration"/> (for CLI verbs without a host).</summary>
    public static BotStateOptions Read(IConfiguration configuration)
    {
        var options = new BotStateOptions();
        Bind(configuration, options);
        return options;
    }
}
