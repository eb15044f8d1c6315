using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyBot.Core.State;
using PolicyBot.Teams.Auth;
using PolicyBot.Teams.Connector;
using PolicyBot.Teams.Endpoint;
using PolicyBot.Teams.Turns;
using PolicyBot.Teams.Turns.Commands;

namespace PolicyBot.Teams;

/// <summary>Registers the Teams adapter and maps its endpoint. The host registers IQuestionAnswerer, ICorpusCatalog, IFeedbackSink and IWatchStore.</summary>
public static class TeamsServiceCollectionExtensions
{
    /// <summary>Registers the adapter with <see cref="TeamsOptions"/> bound from <paramref name="configuration"/> (the host's Teams section).</summary>
    public static IServiceCollection AddPolicyBotTeams(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<TeamsOptions>()
            .Bind(configuration)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsOptions>, TeamsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        TeamsHttp.Add(services);
        services.AddSingleton<TeamsMetrics>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<BotFrameworkAuthenticator>();
        services.TryAddSingleton<IBotTokenProvider, MsalBotTokenProvider>();
        services.AddSingleton<TrustedServiceUrls>();
        services.AddSingleton<ConversationPacer>();
        services.AddSingleton<ConnectorClient>();
        services.AddSingleton<SentAnswerIndex>();
        services.AddSingleton<TeamsTurnQueue>();
        services.AddSingleton<TeamsCommands>();
        services.TryAddSingleton<IDeliveryClaims, ProcessDeliveryClaims>(); // the state store's claims win when registered
        services.AddSingleton<DeliveryDedupe>();
        services.AddSingleton<TeamsTurnHandler>();
        services.AddSingleton<TeamsAdapter>();
        services.AddSingleton<PolicyBot.Core.Watching.IWatchNoticeSender, TeamsWatchNoticeSender>();
        services.AddHostedService<TeamsTurnProcessor>();
        return services;
    }

    /// <summary>Maps <c>POST /api/messages</c>.</summary>
    public static IEndpointRouteBuilder MapPolicyBotTeams(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/api/messages", (HttpContext context) => context.RequestServices.GetRequiredService<TeamsAdapter>().HandleAsync(context));
        return endpoints;
    }
}

/// <summary>Start-up validation of <see cref="TeamsOptions"/> (TD-04: no app id without the explicit local-mode switch refuses to start).</summary>
internal sealed class TeamsOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
