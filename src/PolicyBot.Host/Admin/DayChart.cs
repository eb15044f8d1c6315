using System.Globalization;

namespace PolicyBot.Host.Admin;

/// <summary>
/// Questions per day by outcome as a stacked bar chart drawn on the server: one <c>&lt;g class="day"&gt;</c> mark per
/// day of the range (empty days too), each with a tooltip title and its counts as data attributes.
/// </summary>
internal static class DayChart
{
    private const int Width = 900;
    private const int Height = 220;
    private const int Left = 40;
    private const int Bottom = 24;
    private const int Top = 10;

    public static void Write(HtmlWriter html, IReadOnlyList<DayStats> days)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(days);
        var max = Math.Max(1, days.Count == 0 ? 1 : days.Max(d => d.Total));
        var plotWidth = Width - Left - 10;
        var plotHeight = Height - Top - Bottom;
        var slot = (double)plotWidth / Math.Max(1, days.Count);
        var bar = Math.Max(1.0, slot * 0.8);
        html.Write($"""<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 {Width} {Height}" width="{Width}" height="{Height}" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">Questions per day by outcome</title>""");
        html.Write($"""<line class="axis" x1="{Left}" y1="{Top + plotHeight}" x2="{Width - 10}" y2="{Top + plotHeight}"/><text class="tick" x="{Left - 4}" y="{Top + 8}" text-anchor="end">{max}</text><text class="tick" x="{Left - 4}" y="{Top + plotHeight}" text-anchor="end">0</text>""");
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            var x = Left + (i * slot) + ((slot - bar) / 2);
            var day = d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            html.Write($"""<g class="day" data-day="{day}" data-answered="{d.Answered}" data-abstained="{d.Abstained}" data-refused="{d.Refused}"><title>{day}: {d.Answered} answered, {d.Abstained} abstained, {d.Refused} refused</title>""");
            var y = (double)(Top + plotHeight);
            foreach (var (count, cls) in new[] { (d.Answered, "answered"), (d.Abstained, "abstained"), (d.Refused, "refused") })
            {
                if (count == 0)
                {
                    continue;
                }

                var h = plotHeight * count / (double)max;
                y -= h;
                html.Write($"""<rect class="{cls}" x="{x:0.##}" y="{y:0.##}" width="{bar:0.##}" height="{h:0.##}"/>""");
            }

            // An empty day still gets a mark: a hairline on the axis.
            if (d.Total == 0)
            {
                html.Write($"""<rect class="none" x="{x:0.##}" y="{Top + plotHeight - 1}" width="{bar:0.##}" height="1"/>""");
            }

            html.Write($"</g>");
            if (i == 0 || i == days.Count - 1 || (days.Count > 7 && i == days.Count / 2))
            {
                html.Write($"""<text class="tick" x="{(i == 0 ? x : i == days.Count - 1 ? x + bar : x + (bar / 2)):0.##}" y="{Height - 6}" text-anchor="{(i == 0 ? "start" : i == days.Count - 1 ? "end" : "middle")}">{day}</text>""");
            }
        }

        html.Write($"""</svg><p class="legend"><span class="key answered"></span> answered <span class="key abstained"></span> abstained <span class="key refused"></span> refused</p>""");
    }
}
