using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using PolicyBot.Teams.AppPackage;
using PolicyBot.Teams.Tests.Fakes;

namespace PolicyBot.Teams.Tests.AppPackage;

/// <summary>The Teams app package: manifest against its schema, icons, zip layout.</summary>
public sealed class TeamsAppPackageTests
{
    private const string AppId = "c9e8c047-1111-4a4a-9b9b-0123456789ab";

    private static JsonObject Schema() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "teams-manifest-v1.22.subset.schema.json")))!.AsObject();

    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyBot.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir!.FullName, .. parts]);
    }

    [Fact]
    public void Manifest_CommittedTemplateAndFilledIn_ValidAgainstSchema()
    {
        var template = JsonNode.Parse(File.ReadAllText(RepoFile("bot-manifests", "teams", "manifest.json")));
        Assert.Empty(JsonSchemaSubsetValidator.Validate(template, Schema()));
        var filled = JsonNode.Parse(TeamsAppPackage.Manifest(AppId));
        Assert.Empty(JsonSchemaSubsetValidator.Validate(filled, Schema()));
        Assert.Equal(AppId, filled!["id"]!.GetValue<string>());
        var bot = filled["bots"]![0]!;
        Assert.Equal(AppId, bot["botId"]!.GetValue<string>());
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray());
        Assert.Equal(["ask", "compare", "brief", "watch", "sources", "about"], bot["commandLists"]![0]!["commands"]!.AsArray().Select(c => c!["title"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public void SchemaValidator_RejectsBrokenManifests()
    {
        var manifest = JsonNode.Parse(TeamsAppPackage.Manifest(AppId))!.AsObject();
        manifest["name"]!["short"] = new string('x', 31);
        manifest["bots"]![0]!["scopes"] = new JsonArray("personal", "groupchat");
        manifest["accentColor"] = "blue";
        manifest.Remove("developer");
        manifest["surprise"] = true;
        var errors = JsonSchemaSubsetValidator.Validate(manifest, Schema());
        Assert.Contains(errors, e => e.Contains("$.name.short", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("groupchat", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("accentColor", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("developer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("surprise", StringComparison.Ordinal));
    }

    [Fact]
    public void Manifest_RejectsNonGuidAppId()
    {
        Assert.Throws<ArgumentException>(() => TeamsAppPackage.Manifest("not-a-guid"));
    }

    [Fact]
    public async Task Package_ZipHoldsExactlyManifestAndIconsAtRoot()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policybot-teams-{Guid.NewGuid():N}.zip");
        try
        {
            var written = await TeamsAppPackage.WriteAsync(path, AppId, "1.0.1", CancellationToken.None);
            using var zip = ZipFile.OpenRead(written);
            Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToArray());
            using var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open());
            var manifest = JsonNode.Parse(await reader.ReadToEndAsync());
            Assert.Empty(JsonSchemaSubsetValidator.Validate(manifest, Schema()));
            Assert.Equal("1.0.1", manifest!["version"]!.GetValue<string>());
            Assert.Equal((192, 192), PngInfo(ReadEntry(zip, "color.png")).Size);
            Assert.Equal((32, 32), PngInfo(ReadEntry(zip, "outline.png")).Size);
            Assert.Equal(File.ReadAllBytes(RepoFile("bot-manifests", "teams", "color.png")), ReadEntry(zip, "color.png")); // the committed files, byte for byte
            Assert.Equal(File.ReadAllBytes(RepoFile("bot-manifests", "teams", "outline.png")), ReadEntry(zip, "outline.png"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Icons_CommittedFiles_SizesOutlineWhiteOnTransparentColourOpaque()
    {
        var color = PngInfo(File.ReadAllBytes(RepoFile("bot-manifests", "teams", "color.png")));
        var outline = PngInfo(File.ReadAllBytes(RepoFile("bot-manifests", "teams", "outline.png")));
        Assert.Equal((192, 192), color.Size);
        Assert.Equal((32, 32), outline.Size);
        var transparent = 0;
        var white = 0;
        for (var i = 0; i < outline.Rgba.Length; i += 4)
        {
            var a = outline.Rgba[i + 3];
            if (a == 0)
            {
                transparent++;
            }
            else
            {
                Assert.True(outline.Rgba[i] == 255 && outline.Rgba[i + 1] == 255 && outline.Rgba[i + 2] == 255, "outline pixels must be white");
                white++;
            }
        }

        Assert.True(transparent > 0 && white > 0);
        Assert.Equal(0, outline.Rgba[3]); // corner is transparent
        Assert.All(Enumerable.Range(0, color.Rgba.Length / 4), i => Assert.Equal(255, color.Rgba[(i * 4) + 3])); // colour icon is opaque
    }

    private static byte[] ReadEntry(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>Decodes the PNGs this project writes (RGBA 8-bit, filter 0) and checks the chunk CRC-free structure.</summary>
    private static ((int, int) Size, byte[] Rgba) PngInfo(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var pos = 8;
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        while (pos < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                Assert.Equal(6, data[9]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            pos += 12 + length;
        }

        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        var rgba = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, bytes[y * ((width * 4) + 1)]);
            Array.Copy(bytes, (y * ((width * 4) + 1)) + 1, rgba, y * width * 4, width * 4);
        }

        return ((width, height), rgba);
    }
}
