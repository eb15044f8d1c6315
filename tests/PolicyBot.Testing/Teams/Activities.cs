using System.Text.Json.Nodes;

namespace PolicyBot.Testing.Teams;

/// <summary>Inbound activity builders shaped like Teams' (teams-bot-framework.md §2).</summary>
public static class Activities
{
    public static JsonObject Message(string serviceUrl, string conversationType, string conversationId, string text, string? id = null)
    {
        var activity = Base("message", serviceUrl, conversationType, conversationId, id);
        activity["text"] = text;
        activity["textFormat"] = "plain";
        activity["entities"] = new JsonArray(new JsonObject { ["type"] = "clientInfo", ["locale"] = "en-US", ["platform"] = "Web" });
        return activity;
    }

    public static JsonObject Base(string type, string serviceUrl, string conversationType = "personal", string conversationId = "a:1Xpersonal-conv", string? id = null)
    {
        var channelData = new JsonObject { ["tenant"] = new JsonObject { ["id"] = TeamsCredentials.TenantId } };
        if (conversationType == "channel")
        {
            channelData["team"] = new JsonObject { ["id"] = "19:team@thread.tacv2" };
            channelData["channel"] = new JsonObject { ["id"] = "19:abc123@thread.tacv2" };
        }

        return new JsonObject
        {
            ["type"] = type,
            ["id"] = id ?? Guid.NewGuid().ToString("N")[..13],
            ["timestamp"] = "2026-11-22T01:00:00.000Z",
            ["serviceUrl"] = serviceUrl,
            ["channelId"] = "msteams",
            ["from"] = new JsonObject { ["id"] = "29:1XJKuser", ["name"] = "Megan Bowen", ["aadObjectId"] = "7faf8ab2-0000-4000-8000-000000000001" },
            ["recipient"] = new JsonObject { ["id"] = TeamsCredentials.BotId, ["name"] = "PolicyBot" },
            ["conversation"] = new JsonObject
            {
                ["id"] = conversationId,
                ["conversationType"] = conversationType,
                ["tenantId"] = TeamsCredentials.TenantId,
                ["isGroup"] = conversationType != "personal",
            },
            ["channelData"] = channelData,
            ["locale"] = "en-US",
        };
    }

    public static JsonObject WithBotMention(JsonObject activity, bool botMentioned, string otherId = "29:someone-else", string otherName = "Adele")
    {
        var entities = activity["entities"]!.AsArray();
        entities.Add(botMentioned
            ? new JsonObject { ["type"] = "mention", ["mentioned"] = new JsonObject { ["id"] = TeamsCredentials.BotId, ["name"] = "PolicyBot" }, ["text"] = "<at>PolicyBot</at>" }
            : new JsonObject { ["type"] = "mention", ["mentioned"] = new JsonObject { ["id"] = otherId, ["name"] = otherName }, ["text"] = $"<at>{otherName}</at>" });
        return activity;
    }

    public static JsonObject Invoke(string serviceUrl, string name, JsonNode? value, string? replyToId = null)
    {
        var activity = Base("invoke", serviceUrl);
        activity["name"] = name;
        activity["value"] = value;
        if (replyToId is not null)
        {
            activity["replyToId"] = replyToId;
        }

        return activity;
    }
}
