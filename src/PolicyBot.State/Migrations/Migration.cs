namespace PolicyBot.State.Migrations;

/// <summary>One schema step: applied once, in version order, inside the migrating transaction.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// A dialect's whole schema history plus the two statements the runner needs for its bookkeeping
/// (parameter <c>@version</c> in <see cref="RecordVersionSql"/>; both ADO.NET providers accept <c>@name</c>).
/// </summary>
internal sealed record Schema(string Dialect, IReadOnlyList<Migration> Migrations, string CreateVersionTableSql, string RecordVersionSql)
{
    /// <summary>The newest version this build knows.</summary>
    public int Newest => Migrations[^1].Version;
}
