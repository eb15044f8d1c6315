using Npgsql;
using PolicyBot.State.Postgres;

namespace PolicyBot.State.Tests.Postgres;

public sealed class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("postgres://bot:pw@db.internal:6543/policybot?sslmode=disable")]
    [InlineData("postgresql://bot:pw@db.internal:6543/policybot?sslmode=disable")]
    [InlineData("POSTGRES://bot:pw@db.internal:6543/policybot?sslmode=disable")]
    [InlineData("Host=db.internal;Port=6543;Username=bot;Password=pw;Database=policybot;SSL Mode=Disable")]
    public void Parse_UrlOrKeyValue_GivesTheSameSettings(string value)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse(value));

        Assert.Equal(("db.internal", 6543, "bot", "pw", "policybot", SslMode.Disable), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database, builder.SslMode));
    }

    [Fact]
    public void Parse_PercentEncodedParts_AreDecoded()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://us%40er:p%40ss%3Aw%2Fo%3Brd@host/my%20db"));

        Assert.Equal(("us@er", "p@ss:w/o;rd", "my db", 5432), (builder.Username, builder.Password, builder.Database, builder.Port));
    }

    [Fact]
    public void Parse_LibpqParameters_MapToNpgsql()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse(
            "postgres://u@h/d?sslmode=verify-full&application_name=policybot-shard-1&connect_timeout=7&search_path=bot&target_session_attrs=read-write&Maximum%20Pool%20Size=12"));

        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("policybot-shard-1", builder.ApplicationName);
        Assert.Equal(7, builder.Timeout);
        Assert.Equal("bot", builder.SearchPath);
        Assert.Equal("read-write", builder.TargetSessionAttributes);
        Assert.Equal(12, builder.MaxPoolSize);
    }

    [Fact]
    public void Parse_Ipv6AndSeveralHosts_AreKept()
    {
        var ipv6 = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres://u@[::1]:5433/d"));
        var several = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgresql://u:p@primary:5432,replica:5433/d"));
        var socket = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse("postgres:///d?host=/var/run/postgresql"));

        Assert.Equal(("::1", 5433), (ipv6.Host, ipv6.Port));
        Assert.Equal("primary:5432,replica:5433", several.Host);
        Assert.Equal(("/var/run/postgresql", "d"), (socket.Host, socket.Database));
    }

    [Theory]
    [InlineData("postgres://u:s3cretPW@host:notaport/db")]
    [InlineData("postgres://u:s3cretPW@host/db?sslmode=sometimes")]
    [InlineData("postgres://u:s3cretPW@host/db?bogus_param=s3cretPW")]
    [InlineData("mysql://u:s3cretPW@host/db")]
    [InlineData("Host=h;Password=s3cretPW;Bogus Key=1")]
    [InlineData("Password=s3cretPW")]
    [InlineData("   ")]
    public void Parse_BadValue_ThrowsNamingTheSettingNeverThePassword(string value)
    {
        var ex = Assert.Throws<FormatException>(() => PostgresConnectionString.Parse(value));

        Assert.StartsWith("{Database} ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretPW", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ConnectionString_OmitsThePassword()
    {
        var description = PostgresConnectionString.Describe(PostgresConnectionString.Parse("postgres://bot:s3cretPW@db:6543/policybot"));

        Assert.Equal("bot@db:6543/policybot", description);
    }
}
