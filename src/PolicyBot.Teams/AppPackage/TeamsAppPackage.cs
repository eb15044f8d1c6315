using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyBot.Teams.AppPackage;

/// <summary>Builds the Teams app package: <c>manifest.json</c>, <c>color.png</c> and <c>outline.png</c> at the zip root.</summary>
public static class TeamsAppPackage
{
    public const string ManifestFile = "manifest.json";
    public const string ColorIconFile = "color.png";
    public const string OutlineIconFile = "outline.png";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The committed manifest template (from <c>bot-manifests/teams/manifest.json</c>).</summary>
    public static string ManifestTemplate() => Encoding(ReadResource(ManifestFile));

    /// <summary>The manifest with the app id and bot id filled in.</summary>
    /// <exception cref="ArgumentException"><paramref name="appId"/> is not a GUID.</exception>
    public static string Manifest(string appId, string? version = null)
    {
        if (!Guid.TryParseExact(appId, "D", out var id))
        {
            throw new ArgumentException("The app id must be a GUID (the Microsoft App ID of the Azure Bot registration).", nameof(appId));
        }

        var manifest = JsonNode.Parse(ManifestTemplate())!.AsObject();
        manifest["id"] = id.ToString("D");
        foreach (var bot in manifest["bots"]!.AsArray())
        {
            bot!["botId"] = id.ToString("D");
        }

        if (version is not null)
        {
            manifest["version"] = version;
        }

        return manifest.ToJsonString(Indented);
    }

    /// <summary>Writes the zip to <paramref name="output"/>.</summary>
    public static void Write(Stream output, string appId, string? version = null)
    {
        var manifest = Manifest(appId, version);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        Add(zip, ManifestFile, System.Text.Encoding.UTF8.GetBytes(manifest));
        Add(zip, ColorIconFile, ReadResource(ColorIconFile));
        Add(zip, OutlineIconFile, ReadResource(OutlineIconFile));
    }

    /// <summary>Writes the zip to <paramref name="path"/> and returns its full path.</summary>
    public static async Task<string> WriteAsync(string path, string appId, string? version, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var buffer = new MemoryStream();
        Write(buffer, appId, version);
        await File.WriteAllBytesAsync(full, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        return full;
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static string Encoding(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');

    private static byte[] ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PolicyBot.Teams.AppPackage." + name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
