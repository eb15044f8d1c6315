using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolicyBot.Testing.Discord;

/// <summary>Discord's application-command rules (discord.md §13), as the fake checks them.</summary>
public static partial class CommandValidation
{
    public static IReadOnlyList<string> Validate(JsonArray commands)
    {
        var problems = new List<string>();
        var names = new HashSet<string>();
        foreach (var node in commands)
        {
            var command = node!.AsObject();
            var name = command["name"]?.GetValue<string>() ?? "";
            var type = command["type"]?.GetValue<int>() ?? 1;
            if (!names.Add(type + ":" + name))
            {
                problems.Add($"duplicate command {name}");
            }

            CheckName(name, problems);
            CheckDescription(name, command["description"]?.GetValue<string>(), problems);
            if (command["default_member_permissions"] is { } perms && (perms.GetValueKind() != System.Text.Json.JsonValueKind.String || !ulong.TryParse(perms.GetValue<string>(), out _)))
            {
                problems.Add($"{name}: default_member_permissions must be a string bitset");
            }

            CheckOptions(name, command["options"] as JsonArray, depth: 0, problems);
        }

        return problems;
    }

    private static void CheckOptions(string owner, JsonArray? options, int depth, List<string> problems)
    {
        if (options is null)
        {
            return;
        }

        if (options.Count > 25)
        {
            problems.Add($"{owner}: more than 25 options");
        }

        var seenOptional = false;
        var names = new HashSet<string>();
        foreach (var node in options)
        {
            var option = node!.AsObject();
            var name = option["name"]?.GetValue<string>() ?? "";
            var type = option["type"]?.GetValue<int>() ?? 0;
            CheckName(name, problems);
            CheckDescription(owner + "." + name, option["description"]?.GetValue<string>(), problems);
            if (!names.Add(name))
            {
                problems.Add($"{owner}: duplicate option {name}");
            }

            if (type is < 1 or > 11)
            {
                problems.Add($"{owner}.{name}: invalid option type {type}");
            }

            var required = option["required"]?.GetValue<bool>() ?? false;
            if (required && seenOptional)
            {
                problems.Add($"{owner}.{name}: required options must come first");
            }

            seenOptional |= !required;
            if (option["autocomplete"]?.GetValue<bool>() == true && option["choices"] is not null)
            {
                problems.Add($"{owner}.{name}: autocomplete with choices");
            }

            if (type is 1 or 2)
            {
                if (depth >= 2 || (type == 2 && depth >= 1))
                {
                    problems.Add($"{owner}.{name}: sub-commands nested too deep");
                }

                CheckOptions(owner + "." + name, option["options"] as JsonArray, depth + 1, problems);
            }
        }
    }

    private static void CheckName(string name, List<string> problems)
    {
        if (!NamePattern().IsMatch(name) || name != name.ToLowerInvariant())
        {
            problems.Add($"invalid name '{name}'");
        }
    }

    private static void CheckDescription(string owner, string? description, List<string> problems)
    {
        if (description is null || description.Length is < 1 or > 100)
        {
            problems.Add($"{owner}: description must be 1-100 characters");
        }
    }

    [GeneratedRegex(@"^[-_'\p{L}\p{N}]{1,32}$")]
    private static partial Regex NamePattern();
}
