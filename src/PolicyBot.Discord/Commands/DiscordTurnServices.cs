using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyBot.Core.Conversation;
using PolicyBot.Core.State;
using PolicyBot.Discord.Protocol;
using PolicyBot.Discord.Rest;

namespace PolicyBot.Discord.Commands;

/// <summary>
/// What every Discord handler shares: the REST client, the answerer behind the concurrency bound, the catalog and
/// stores, the recent-answer and bot-thread memories, and the reply helpers (always with no allowed mentions).
/// </summary>
internal sealed class DiscordTurnServices : IDisposable
{
    public const string Platform = "discord";

    private readonly SemaphoreSlim _answerSlots;
    private string? _applicationId;

    public DiscordTurnServices(
        DiscordRestClient rest,
        IQuestionAnswerer answerer,
        ICorpusCatalog catalog,
        IFeedbackSink feedback,
        IServerSettingsStore settings,
        IWatchStore watches,
        IExpiringCache memory,
        DiscordOptions options,
        TimeProvider time,
        ILogger logger,
        DiscordMetrics metrics)
    {
        Rest = rest;
        Answerer = answerer;
        Catalog = catalog;
        Feedback = feedback;
        Settings = settings;
        Watches = watches;
        Options = options;
        Time = time;
        Logger = logger;
        Metrics = metrics;
        Memory = new DiscordMemory(memory, time, logger);
        _applicationId = options.ApplicationId;
        _answerSlots = new SemaphoreSlim(options.MaxConcurrentAnswers, options.MaxConcurrentAnswers);
    }

    public DiscordRestClient Rest { get; }

    public IQuestionAnswerer Answerer { get; }

    public ICorpusCatalog Catalog { get; }

    public IFeedbackSink Feedback { get; }

    public IServerSettingsStore Settings { get; }

    /// <summary>The channels' watch subscriptions (<c>/watch</c>).</summary>
    public IWatchStore Watches { get; }

    public DiscordOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public DiscordMetrics Metrics { get; }

    /// <summary>The citations behind Sources buttons and the bot's threads, in the state store.</summary>
    public DiscordMemory Memory { get; }

    /// <summary>The bot's own user id, from READY.</summary>
    public string? BotUserId { get; set; }

    public void OnReady(ReadyEvent? ready)
    {
        BotUserId = ready?.User.Id ?? BotUserId;
        _applicationId ??= ready?.Application?.Id;
    }

    public string ApplicationIdFor(Interaction interaction) => _applicationId ?? interaction.ApplicationId;

    /// <summary>Asks the answerer, at most <see cref="DiscordOptions.MaxConcurrentAnswers"/> at once, and remembers the answer for its buttons.</summary>
    public async Task<Answer> AnswerAsync(string text, string? guildId, string? channelId, string? userId, string? previousQuestion, CancellationToken cancellationToken)
    {
        await _answerSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var question = new Question(text, new QuestionContext(Platform, guildId, channelId, userId, previousQuestion))
            {
                MaxCitations = Math.Clamp(Options.MaxCitations, 1, 10),
            };
            var answer = await Answerer.AnswerAsync(question, cancellationToken).ConfigureAwait(false);
            await Memory.RememberSourcesAsync(answer, SourcesButton.MaxPassages, cancellationToken).ConfigureAwait(false);
            return answer;
        }
        finally
        {
            _answerSlots.Release();
        }
    }

    public Task RespondEphemeralAsync(Interaction interaction, string text, CancellationToken cancellationToken)
        => RespondAsync(interaction, new MessageParams { Content = text, Flags = MessageFlags.Ephemeral }, cancellationToken);

    public Task RespondAsync(Interaction interaction, MessageParams message, CancellationToken cancellationToken)
        => Rest.CreateInteractionResponseAsync(
            interaction.Id,
            interaction.Token,
            new InteractionResponse<MessageParams>((int)InteractionCallbackType.ChannelMessageWithSource, message with { AllowedMentions = AllowedMentions.None }),
            cancellationToken);

    public Task FollowUpAsync(Interaction interaction, MessageParams message, CancellationToken cancellationToken)
        => Rest.CreateFollowupMessageAsync(ApplicationIdFor(interaction), interaction.Token, message with { AllowedMentions = AllowedMentions.None }, cancellationToken);

    public static IEnumerable<ApplicationCommandInteractionDataOption> Flatten(IEnumerable<ApplicationCommandInteractionDataOption> options)
        => options.SelectMany(o => o.Options is { } nested ? Flatten(nested).Prepend(o) : [o]);

    public static string? StringOption(IReadOnlyList<ApplicationCommandInteractionDataOption> options, string name)
        => Flatten(options).FirstOrDefault(o => o.Name == name)?.Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static bool? BoolOption(IReadOnlyList<ApplicationCommandInteractionDataOption> options, string name)
        => Flatten(options).FirstOrDefault(o => o.Name == name)?.Value is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

    public void Dispose() => _answerSlots.Dispose();
}
