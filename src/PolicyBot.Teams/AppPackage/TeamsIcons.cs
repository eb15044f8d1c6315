namespace PolicyBot.Teams.AppPackage;

/// <summary>
/// The project's own Teams icons, drawn in code: a document with quoted lines (cited extracts).
/// Colour: 192×192 on the accent colour. Outline: 32×32 white mark on a transparent background.
/// </summary>
internal static class TeamsIcons
{
    public const int ColorSize = 192;
    public const int OutlineSize = 32;

    // Accent #1F4E79 (also the manifest's accentColor).
    private static readonly (byte R, byte G, byte B) Accent = (0x1F, 0x4E, 0x79);
    private static readonly (byte R, byte G, byte B) Highlight = (0xF2, 0xB1, 0x34);

    public static byte[] ColorPng() => PngWriter.Encode(ColorSize, ColorSize, ColorPixels());

    public static byte[] OutlinePng() => PngWriter.Encode(OutlineSize, OutlineSize, OutlinePixels());

    public static byte[] ColorPixels()
    {
        var canvas = new Canvas(ColorSize);
        canvas.Fill(0, 0, ColorSize, ColorSize, Accent.R, Accent.G, Accent.B, 255);

        // Document sheet.
        canvas.Fill(52, 32, 140, 160, 255, 255, 255, 255);

        // Quote bar (the cited extract) and text lines.
        canvas.Fill(64, 52, 70, 100, Highlight.R, Highlight.G, Highlight.B, 255);
        for (var line = 0; line < 4; line++)
        {
            var y = 54 + (line * 12);
            canvas.Fill(78, y, line == 3 ? 110 : 128, y + 6, Accent.R, Accent.G, Accent.B, 255);
        }

        // Citation marker "[1]" below the quote.
        canvas.Fill(64, 116, 68, 140, Accent.R, Accent.G, Accent.B, 255);
        canvas.Fill(64, 116, 74, 120, Accent.R, Accent.G, Accent.B, 255);
        canvas.Fill(64, 136, 74, 140, Accent.R, Accent.G, Accent.B, 255);
        canvas.Fill(82, 116, 86, 140, Accent.R, Accent.G, Accent.B, 255);
        canvas.Fill(94, 116, 98, 140, Accent.R, Accent.G, Accent.B, 255);
        canvas.Fill(88, 116, 98, 120, Accent.R, Accent.G, Accent.B, 255);
        canvas.Fill(88, 136, 98, 140, Accent.R, Accent.G, Accent.B, 255);
        return canvas.Pixels;
    }

    public static byte[] OutlinePixels()
    {
        var canvas = new Canvas(OutlineSize);

        // Sheet border, 2 px, white; inside stays transparent.
        canvas.Fill(7, 3, 25, 5, 255, 255, 255, 255);
        canvas.Fill(7, 27, 25, 29, 255, 255, 255, 255);
        canvas.Fill(7, 3, 9, 29, 255, 255, 255, 255);
        canvas.Fill(23, 3, 25, 29, 255, 255, 255, 255);

        // Quote bar and lines.
        canvas.Fill(11, 8, 12, 17, 255, 255, 255, 255);
        canvas.Fill(14, 8, 21, 10, 255, 255, 255, 255);
        canvas.Fill(14, 12, 21, 14, 255, 255, 255, 255);
        canvas.Fill(14, 16, 19, 18, 255, 255, 255, 255);
        canvas.Fill(11, 21, 21, 23, 255, 255, 255, 255);
        return canvas.Pixels;
    }

    private sealed class Canvas(int size)
    {
        public byte[] Pixels { get; } = new byte[size * size * 4];

        /// <summary>Fills [x0, x1) × [y0, y1).</summary>
        public void Fill(int x0, int y0, int x1, int y1, byte r, byte g, byte b, byte a)
        {
            for (var y = Math.Max(0, y0); y < Math.Min(size, y1); y++)
            {
                for (var x = Math.Max(0, x0); x < Math.Min(size, x1); x++)
                {
                    var i = ((y * size) + x) * 4;
                    Pixels[i] = r;
                    Pixels[i + 1] = g;
                    Pixels[i + 2] = b;
                    Pixels[i + 3] = a;
                }
            }
        }
    }
}
