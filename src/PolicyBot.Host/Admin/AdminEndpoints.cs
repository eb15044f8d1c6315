using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyBot.Search;
using PolicyBot.Search.Index;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.Operations;
using PolicyBot.Core.State;
using PolicyBot.Host.Serve;

namespace PolicyBot.Host.Admin;

/// <summary>
/// The /admin dashboard on the serve host: ASP.NET Core cookie authentication (signed in with the admin token,
/// compared in constant time), antiforgery on every form, a per-address rate limit on sign-in, and strict security
/// headers on every response of the host.
/// </summary>
internal static partial class AdminEndpoints
{
    public const string Scheme = "PolicyBotAdmin";
    public const string CookieName = "policybot-admin";
    public const string SignInLimiter = "policybot-admin-signin";

    /// <summary>No script at all, styles from the dashboard's own stylesheet, forms only to itself, never framed.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IServiceCollection AddPolicyBotAdmin(this IServiceCollection services, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => new OverviewBuilder(sp.GetRequiredService<IBotStore>()));

        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/admin";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/admin/signin";
            o.AccessDeniedPath = "/admin/signin";
            o.ReturnUrlParameter = "return";
        });
        services.AddAuthorizationBuilder().AddPolicy(Scheme, p =>
        {
            if (options.LocalOnly)
            {
                // Local mode: no sign-in; the loopback filter on the group is the whole check.
                p.RequireAssertion(_ => true);
            }
            else
            {
                p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser();
            }
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = CookieName + "-af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/admin";
            o.FormFieldName = "__af";
            o.SuppressXFrameOptionsHeader = true;
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInLimiter, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.SignInAttemptsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        return services;
    }

    /// <summary>Security headers on every response; then the dashboard's routes when it is enabled.</summary>
    public static WebApplication MapPolicyBotAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (context.Request.Path.StartsWithSegments("/admin", StringComparison.Ordinal))
            {
                // What antiforgery sets on the pages with a form anyway (any other value makes it log a warning per view).
                headers.CacheControl = "no-cache, no-store";
            }

            return next(context);
        });

        var options = app.Services.GetRequiredService<AdminOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints).FullName!);
        if (!options.Enabled)
        {
            LogDisabled(logger);
            return app;
        }

        if (options.LocalOnly)
        {
            LogLocalMode(logger);
        }

        app.UseRateLimiter();
        var admin = app.MapGroup("/admin");
        if (options.LocalOnly)
        {
            admin.AddEndpointFilter(async (context, next) => IsLocal(context.HttpContext) ? await next(context) : Results.NotFound());
        }

        admin.MapGet("/assets/admin.css", () => Results.Text(Stylesheet.Value, "text/css; charset=utf-8"));
        admin.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery) => options.LocalOnly
            ? Results.Redirect("/admin")
            : Html(AdminPages.SignIn(Antiforgery(context, antiforgery), failed: false)));
        admin.MapPost("/signin", (HttpContext context, IAntiforgery antiforgery) => SignInAsync(context, antiforgery, options, logger))
            .RequireRateLimiting(SignInLimiter);

        var pages = admin.MapGroup("").RequireAuthorization(Scheme);
        pages.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await IsValidFormAsync(context, antiforgery))
            {
                return BadForm();
            }

            await context.SignOutAsync(Scheme);
            return Results.Redirect("/admin/signin", permanent: false, preserveMethod: false);
        });
        pages.MapGet("/", async (HttpContext context, IAntiforgery antiforgery, OverviewBuilder overview, TimeProvider clock, string? days, string? platform, CancellationToken ct) =>
        {
            var range = DayRange.Ending(clock.GetUtcNow(), days);
            var model = await overview.BuildAsync(range, Platform(platform), ct);
            return Page(context, antiforgery, "Overview", "/admin", AdminPages.Overview(model));
        });
        pages.MapGet("/gaps", async (HttpContext context, IAntiforgery antiforgery, IBotStore store, TimeProvider clock, string? days, CancellationToken ct) =>
        {
            var range = DayRange.Ending(clock.GetUtcNow(), days);
            var gaps = await store.GroupCoverageGapsAsync(range.From, range.To, GapGroup.Top, GapGroup.Samples, ct);
            return Page(context, antiforgery, "Coverage gaps", "/admin/gaps", AdminPages.Gaps(range, gaps.Groups.Select(GapGroup.From).ToList(), gaps.Questions, gaps.GroupCount));
        });
        pages.MapGet("/feedback", async (HttpContext context, IAntiforgery antiforgery, IBotStore store, LiveIndex live, TimeProvider clock, string? days, string? platform, CancellationToken ct) =>
        {
            var range = DayRange.Ending(clock.GetUtcNow(), days);
            var records = await store.QueryAuditAsync(new AuditFilter { Selection = AuditSelection.NegativeFeedback, From = range.From, To = range.To, Platform = Platform(platform), Limit = 200 }, ct);
            var titles = live.Documents.ToDictionary(d => d.Path, d => d.Title, StringComparer.Ordinal);
            var platforms = new SortedSet<string>(["discord", "teams"], StringComparer.Ordinal);
            if (Platform(platform) is { } p)
            {
                platforms.Add(p);
            }

            return Page(context, antiforgery, "Feedback", "/admin/feedback", AdminPages.Feedback(range, Platform(platform), platforms.ToList(), records, path => titles.GetValueOrDefault(path, path)));
        });
        pages.MapGet("/corpus", (HttpContext context, IAntiforgery antiforgery, LiveIndex live, TimeProvider clock) =>
            Page(context, antiforgery, "Corpus", "/admin/corpus", AdminPages.Corpus(live.Documents, live.Engine?.LastReport.Skipped ?? [], live.CorpusVersion, live.LastIndexed, options.StaleAfter, clock.GetUtcNow())));
        pages.MapGet("/try", (HttpContext context, IAntiforgery antiforgery, PolicyBotOptions engine, string? q) =>
            Page(context, antiforgery, "Try a question", "/admin/try", AdminPages.Try(q, Antiforgery(context, antiforgery), engine.Answering.MaxQuestionLength, null, null)));
        pages.MapPost("/try", async (HttpContext context, IAntiforgery antiforgery, LiveIndex live, PolicyBotOptions engine, CancellationToken ct) =>
        {
            if (!await IsValidFormAsync(context, antiforgery))
            {
                return BadForm();
            }

            var form = await context.Request.ReadFormAsync(ct);
            var question = form["q"].ToString();
            var answer = await live.AnswerAsync(new Question(question, new QuestionContext("admin")), ct);
            var explanation = live.Engine is { } current && answer.Outcome != AnswerOutcome.Refused ? AnswerExplanation.Build(current, question) : null;
            return Page(context, antiforgery, "Try a question", "/admin/try", AdminPages.Try(question, Antiforgery(context, antiforgery), engine.Answering.MaxQuestionLength, answer, explanation));
        });
        pages.MapGet("/export", async (HttpContext context, IBotStore store, TimeProvider clock, string? format, string? days, CancellationToken ct) =>
        {
            var kind = AuditExport.Parse(format) ?? AuditExportFormat.Jsonl;
            var range = DayRange.Ending(clock.GetUtcNow(), days);
            var extension = kind == AuditExportFormat.Csv ? "csv" : "jsonl";
            context.Response.ContentType = kind == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"policybot-audit-since-{range.First:yyyy-MM-dd}.{extension}\"";
            var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
            await using (writer)
            {
                await AuditExport.WriteAsync(writer, store.ReadAuditAsync(range.From, ct), kind, ct);
            }
        });
        LogEnabled(logger);
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, AdminOptions options, ILogger logger)
    {
        if (options.LocalOnly)
        {
            return Results.Redirect("/admin");
        }

        if (!await IsValidFormAsync(context, antiforgery))
        {
            return BadForm();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!TokenMatches(form["token"].ToString(), options.Token!))
        {
            LogSignInFailed(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Html(AdminPages.SignIn(Antiforgery(context, antiforgery), failed: true), StatusCodes.Status401Unauthorized);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        var back = context.Request.Query["return"].ToString();
        return Results.Redirect(back.StartsWith("/admin", StringComparison.Ordinal) && !back.Contains("//", StringComparison.Ordinal) && !back.Contains('\\', StringComparison.Ordinal) ? back : "/admin");
    }

    /// <summary>Compares SHA-256 digests in constant time, so neither the content nor the length of the token leaks through timing.</summary>
    internal static bool TokenMatches(string given, string expected)
    {
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>Local mode: the client is on loopback and asked for a loopback host name (so a rebound DNS name cannot reach it).</summary>
    internal static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IPAddress.IsLoopback(remote))
        {
            return false;
        }

        var host = context.Request.Host.Host;
        return host is "localhost" or "127.0.0.1" or "[::1]" or "::1";
    }

    private static async Task<bool> IsValidFormAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType)
        {
            return false;
        }

        return await antiforgery.IsRequestValidAsync(context);
    }

    private static IResult BadForm() => Results.Text("The form expired or did not come from this dashboard; reload the page and try again.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static string? Platform(string? platform) => string.IsNullOrWhiteSpace(platform) || platform.Length > 64 ? null : platform.Trim();

    private static Markup Antiforgery(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return AdminPages.Hidden(tokens.FormFieldName, tokens.RequestToken);
    }

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string title, string active, Markup body) =>
        Html(AdminPages.Layout(title, active, body, Antiforgery(context, antiforgery), signOut: !context.RequestServices.GetRequiredService<AdminOptions>().LocalOnly));

    private static IResult Html(string html, int status = StatusCodes.Status200OK) => Results.Text(html, "text/html; charset=utf-8", Encoding.UTF8, status);

    private static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = typeof(AdminEndpoints).Assembly.GetManifestResourceStream("PolicyBot.Host.Admin.admin.css")
            ?? throw new InvalidOperationException("admin.css is not embedded in the host assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    [LoggerMessage(EventId = 7400, Level = LogLevel.Information, Message = "Admin dashboard is off (no admin token and no local mode)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(EventId = 7401, Level = LogLevel.Information, Message = "Admin dashboard is on at /admin")]
    private static partial void LogEnabled(ILogger logger);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Warning, Message = "Admin dashboard is in local mode: no sign-in, served only to loopback clients asking for localhost")]
    private static partial void LogLocalMode(ILogger logger);

    [LoggerMessage(EventId = 7403, Level = LogLevel.Warning, Message = "Admin sign-in failed from {RemoteAddress}")]
    private static partial void LogSignInFailed(ILogger logger, string remoteAddress);
}
