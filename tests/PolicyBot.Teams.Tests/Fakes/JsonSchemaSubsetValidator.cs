using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolicyBot.Teams.Tests.Fakes;

/// <summary>
/// A small JSON Schema validator for the keywords the manifest schema uses: type, required, properties,
/// additionalProperties (false), items, enum, const, pattern, minLength/maxLength, minItems/maxItems,
/// uniqueItems and local <c>$ref</c>. Unknown keywords fail loudly so the subset cannot silently pass.
/// </summary>
public static class JsonSchemaSubsetValidator
{
    private static readonly HashSet<string> Known =
    [
        "$comment", "type", "required", "properties", "additionalProperties", "items", "enum", "const", "pattern",
        "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "$ref", "definitions",
    ];

    public static IReadOnlyList<string> Validate(JsonNode? instance, JsonObject schema)
    {
        var errors = new List<string>();
        Check(instance, schema, schema, "$", errors);
        return errors;
    }

    private static void Check(JsonNode? node, JsonObject schema, JsonObject root, string path, List<string> errors)
    {
        foreach (var key in schema.Select(kv => kv.Key))
        {
            if (!Known.Contains(key))
            {
                throw new NotSupportedException($"Schema keyword '{key}' is not supported by the subset validator.");
            }
        }

        if (schema["$ref"] is JsonValue r)
        {
            var name = r.GetValue<string>().Replace("#/definitions/", "", StringComparison.Ordinal);
            Check(node, root["definitions"]![name]!.AsObject(), root, path, errors);
            return;
        }

        if (schema["type"] is JsonValue t && !HasType(node, t.GetValue<string>()))
        {
            errors.Add($"{path}: expected {t.GetValue<string>()}");
            return;
        }

        if (schema["const"] is { } constant && !JsonNode.DeepEquals(node, constant))
        {
            errors.Add($"{path}: must equal {constant.ToJsonString()}");
        }

        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, node)))
        {
            errors.Add($"{path}: {node?.ToJsonString()} not in enum");
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var s = v.GetValue<string>();
            if (schema["maxLength"] is { } max && s.Length > max.GetValue<int>())
            {
                errors.Add($"{path}: longer than {max}");
            }

            if (schema["minLength"] is { } min && s.Length < min.GetValue<int>())
            {
                errors.Add($"{path}: shorter than {min}");
            }

            if (schema["pattern"] is { } pattern && !Regex.IsMatch(s, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                errors.Add($"{path}: '{s}' does not match {pattern}");
            }
        }

        if (node is JsonArray array)
        {
            if (schema["maxItems"] is { } maxItems && array.Count > maxItems.GetValue<int>())
            {
                errors.Add($"{path}: more than {maxItems} items");
            }

            if (schema["minItems"] is { } minItems && array.Count < minItems.GetValue<int>())
            {
                errors.Add($"{path}: fewer than {minItems} items");
            }

            if (schema["uniqueItems"] is { } unique && unique.GetValue<bool>() && array.Select(i => i?.ToJsonString()).Distinct().Count() != array.Count)
            {
                errors.Add($"{path}: items not unique");
            }

            if (schema["items"] is JsonObject itemSchema)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], itemSchema, root, $"{path}[{i}]", errors);
                }
            }
        }

        if (node is JsonObject obj)
        {
            foreach (var required in (schema["required"] as JsonArray ?? []).Select(x => x!.GetValue<string>()))
            {
                if (!obj.ContainsKey(required))
                {
                    errors.Add($"{path}: missing required '{required}'");
                }
            }

            var properties = schema["properties"] as JsonObject;
            foreach (var (name, value) in obj)
            {
                if (properties?[name] is JsonObject propertySchema)
                {
                    Check(value, propertySchema, root, $"{path}.{name}", errors);
                }
                else if (schema["additionalProperties"] is JsonValue additional && !additional.GetValue<bool>())
                {
                    errors.Add($"{path}: unexpected property '{name}'");
                }
            }
        }
    }

    private static bool HasType(JsonNode? node, string type) => type switch
    {
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => node is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => node is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "integer" => node is JsonValue n && n.GetValueKind() == JsonValueKind.Number,
        _ => throw new NotSupportedException($"type {type}"),
    };
}
