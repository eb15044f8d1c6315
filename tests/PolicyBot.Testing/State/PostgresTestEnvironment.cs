using System.Diagnostics;
using Npgsql;
using PolicyBot.State.Postgres;

namespace PolicyBot.Testing.State;

/// <summary>The PostgreSQL server the tests use, and a fresh schema per test so runs never collide.</summary>
public static class PostgresTestEnvironment
{
    public const string DatabaseVariable = "POLICYBOT_TEST_DATABASE";
    public const string SkipVariable = "POLICYBOT_SKIP_POSTGRES";

    /// <summary>
    /// The test server: <c>POLICYBOT_TEST_DATABASE</c> when set; otherwise (unless skipping was asked for) the
    /// throwaway loopback server that <c>.ci/postgres.sh</c> installs if needed and starts — so a plain
    /// <c>dotnet test PolicyBot.sln</c> on a fresh clone tests the PostgreSQL store too.
    /// </summary>
    public static string? Database =>
        Environment.GetEnvironmentVariable(DatabaseVariable) is { Length: > 0 } value ? value
        : SkipRequested ? null
        : AutoStarted.Value;

    private static bool SkipRequested => Environment.GetEnvironmentVariable(SkipVariable) == "1";

    private static readonly Lazy<string?> AutoStarted = new(StartThrowawayServer);

    /// <summary>Runs .ci/postgres.sh (serialised across test processes with flock) and reads the URL it prints.</summary>
    private static string? StartThrowawayServer()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        var script = dir is null ? null : Path.Combine(dir.FullName, ".ci", "postgres.sh");
        if (script is null || !File.Exists(script))
        {
            return null;
        }

        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("if command -v flock >/dev/null 2>&1; then exec flock -o /tmp/policybot-pg.lock bash \"$0\"; else exec bash \"$0\"; fi");
        psi.ArgumentList.Add(script);
        using var process = Process.Start(psi);
        if (process is null)
        {
            return null;
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)) || process.ExitCode != 0)
        {
            return null;
        }

        const string prefix = "export " + DatabaseVariable + "=";
        var line = stdout.Result.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        _ = stderr.Result;
        var url = line?[prefix.Length..].Trim('\'', '"');
        if (!string.IsNullOrEmpty(url))
        {
            Environment.SetEnvironmentVariable(DatabaseVariable, url);
        }

        return string.IsNullOrEmpty(url) ? null : url;
    }

    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(DatabaseVariable) is not { Length: > 0 } && SkipRequested
            ? $"SKIPPED (PostgreSQL NOT TESTED): {SkipVariable}=1 and {DatabaseVariable} is not set. " +
              $"The PostgreSQL store is untested in this run; start a server with `eval \"$(.ci/postgres.sh)\"` to test it."
            : null;

    public static string MissingMessage =>
        $"{DatabaseVariable} is not set and .ci/postgres.sh could not start a server, so the PostgreSQL store cannot be tested. Start a throwaway server on loopback " +
        $"(installs PostgreSQL when missing) and rerun:  eval \"$(.ci/postgres.sh)\" && dotnet test tests/PolicyBot.State.Tests  " +
        $"— or set {SkipVariable}=1 to report these tests as skipped.";

    /// <summary>The test server's connection string (key=value), or a failure telling how to start one.</summary>
    public static string RequireConnectionString() =>
        PostgresConnectionString.Parse(Database ?? throw new InvalidOperationException(MissingMessage));

    private static readonly string RunId = $"{DateTime.UtcNow:yyMMddHHmmss}_{Environment.ProcessId}";

    /// <summary>Creates an empty schema; the returned connection string searches only it.</summary>
    public static async Task<(string Schema, string ConnectionString)> CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var server = RequireConnectionString();
        var schema = $"pbtest_{RunId}_{Guid.NewGuid():N}"[..48];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\";", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, MaxPoolSize = 40 };
        return (schema, builder.ConnectionString);
    }

    public static async Task DropSchemaAsync(string schema)
    {
        var server = RequireConnectionString();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
