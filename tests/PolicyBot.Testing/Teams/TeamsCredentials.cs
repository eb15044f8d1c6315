namespace PolicyBot.Testing.Teams;

/// <summary>The bot registration the Teams fakes and harnesses agree on (test values; the password must never reach a log).</summary>
public static class TeamsCredentials
{
    public const string AppId = "c9e8c047-1111-4a4a-9b9b-0123456789ab";
    public const string AppPassword = "s3cr3t-p@ssw0rd-value-NEVER-LOG";
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    /// <summary>The bot's channel account id ("28:" + app id).</summary>
    public const string BotId = "28:" + AppId;
}
