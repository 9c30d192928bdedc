using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Validation;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// The CLI's spec writes that are conditional on what was read: field edits (suspend, resume, scale, retry) and the
/// whole-spec replace of `apply`. The condition is on the user's attributes as read (spec or specYaml, labels), not on
/// <c>version</c>: the daemon's status writes bump the version without touching the spec, and a user's update-item of
/// the spec leaves the version alone, so only the attributes themselves say whether someone changed them.
/// </summary>
public sealed partial class DynamoStateStore
{
    private ReadAttributes UserAttributesOf(Job read) =>
        _read.TryGetValue(read, out var attributes) && attributes.HasUserAttributes
            ? attributes
            : throw new InvalidOperationException($"job \"{read.Name}\" was not read by this store's GetJobAsync: a conditional spec write needs what was read");

    /// <summary>
    /// One UpdateItem: <c>SET spec.a.b = :new</c> conditional on <c>spec.a.b</c> as read (or its absence); a missing
    /// parent map is created whole, conditional on its absence. A job written with specYaml has its YAML text
    /// rewritten with the field set, conditional on the text as read (DynamoDB cannot address a field inside a string).
    /// </summary>
    public async Task UpdateJobSpecFieldsAsync(Job read, IReadOnlyList<SpecFieldEdit> edits, CancellationToken ct)
    {
        var attributes = UserAttributesOf(read);
        var names = new Dictionary<string, string> { ["#name"] = StateAttributes.Name };
        var values = new Dictionary<string, AttributeValue>();
        var sets = new List<string>();
        var conditions = new List<string> { "attribute_exists(#name)" };
        if (attributes.Spec?.M is { } spec)
        {
            names["#spec"] = StateAttributes.Spec;
            for (var e = 0; e < edits.Count; e++)
            {
                var segments = edits[e].Path.Split('.');
                var path = "#spec";
                var map = spec;
                var depth = 0;
                AttributeValue? old = null;
                for (; depth < segments.Length; depth++)
                {
                    names[$"#e{e}s{depth}"] = segments[depth];
                    path += $".#e{e}s{depth}";
                    if (!map.TryGetValue(segments[depth], out old))
                    {
                        break;
                    }
                    if (depth < segments.Length - 1)
                    {
                        map = old.M ?? throw new InvalidOperationException($"spec.{string.Join('.', segments[..(depth + 1)])} is not a map; fix the job's spec first");
                    }
                }
                values[$":e{e}"] = depth == segments.Length ? ToAttribute(edits[e].Value) : Nest(segments[(depth + 1)..], edits[e].Value);
                sets.Add($"{path} = :e{e}");
                if (depth == segments.Length)
                {
                    values[$":e{e}old"] = old!;
                    conditions.Add($"{path} = :e{e}old");
                }
                else
                {
                    conditions.Add($"attribute_not_exists({path})");
                }
            }
        }
        else if (attributes.SpecYaml?.S is { } yaml)
        {
            names["#specYaml"] = StateAttributes.SpecYaml;
            values[":readYaml"] = attributes.SpecYaml;
            values[":newYaml"] = new() { S = EditYaml(read.Name, yaml, edits) };
            sets.Add("#specYaml = :newYaml");
            conditions.Add("#specYaml = :readYaml");
        }
        else
        {
            throw new InvalidOperationException($"job \"{read.Name}\" has no readable spec map or specYaml to edit; fix it with apply");
        }
        await ConditionalAsync(read.Name, _options.JobsTable, $"job \"{read.Name}\": {string.Join(", ", edits.Select(e => "spec." + e.Path))} changed since it was read (or the job was deleted)",
            token => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _options.JobsTable,
                Key = JobKey(read.Name),
                UpdateExpression = "SET " + string.Join(", ", sets),
                ConditionExpression = string.Join(" AND ", conditions),
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            }, token), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// SET spec and labels (REMOVE what the replacement lacks, and specYaml), conditional on spec, specYaml and labels
    /// each being equal to what was read, or absent where they were absent. DynamoDB compares maps as values.
    /// </summary>
    public async Task ReplaceJobSpecAsync(Job read, Job replacement, CancellationToken ct)
    {
        var attributes = UserAttributesOf(read);
        var item = JobItemCodec.EncodeNew(replacement);
        var names = new Dictionary<string, string>
        {
            ["#name"] = StateAttributes.Name,
            ["#spec"] = StateAttributes.Spec,
            ["#specYaml"] = StateAttributes.SpecYaml,
            ["#labels"] = StateAttributes.Labels,
        };
        var values = new Dictionary<string, AttributeValue> { [":spec"] = item[StateAttributes.Spec] };
        var expression = "SET #spec = :spec";
        var removes = new List<string> { "#specYaml" };
        if (item.TryGetValue(StateAttributes.Labels, out var labels))
        {
            values[":labels"] = labels;
            expression += ", #labels = :labels";
        }
        else
        {
            removes.Add("#labels");
        }
        expression += " REMOVE " + string.Join(", ", removes);
        var conditions = new List<string> { "attribute_exists(#name)" };
        foreach (var (placeholder, value) in new[] { ("spec", attributes.Spec), ("specYaml", attributes.SpecYaml), ("labels", attributes.Labels) })
        {
            if (value is null)
            {
                conditions.Add($"attribute_not_exists(#{placeholder})");
            }
            else
            {
                values[$":read_{placeholder}"] = value;
                conditions.Add($"#{placeholder} = :read_{placeholder}");
            }
        }
        await ConditionalAsync(read.Name, _options.JobsTable, $"job \"{read.Name}\": its spec or labels changed since they were read (or the job was deleted)",
            token => _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _options.JobsTable,
                Key = JobKey(read.Name),
                UpdateExpression = expression,
                ConditionExpression = string.Join(" AND ", conditions),
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            }, token), ct).ConfigureAwait(false);
    }

    private static AttributeValue ToAttribute(object value) => value switch
    {
        bool b => new AttributeValue { BOOL = b },
        int or long => new AttributeValue { N = Convert.ToString(value, CultureInfo.InvariantCulture) },
        _ => throw new ArgumentException($"a spec field edit takes a bool or an integer, got {value.GetType().Name}", nameof(value)),
    };

    private static AttributeValue Nest(string[] rest, object value) =>
        rest.Length == 0
            ? ToAttribute(value)
            : new AttributeValue { M = new Dictionary<string, AttributeValue> { [rest[0]] = Nest(rest[1..], value) } };

    /// <summary>The specYaml text with the fields set (missing maps created), written back as YAML.</summary>
    private static string EditYaml(string job, string yaml, IReadOnlyList<SpecFieldEdit> edits)
    {
        var errors = new List<SpecError>();
        if (YamlNodes.Parse(yaml, errors, source: StateAttributes.SpecYaml, pathPrefix: StateAttributes.Spec) is not MapNode root || errors.Count > 0)
        {
            throw new InvalidOperationException($"job \"{job}\": specYaml does not read as a YAML map; fix it with apply");
        }
        foreach (var edit in edits)
        {
            var segments = edit.Path.Split('.');
            var map = root;
            foreach (var segment in segments[..^1])
            {
                if (map[segment] is not MapNode child)
                {
                    child = new MapNode();
                    map.Set(segment, child);
                }
                map = child;
            }
            map.Set(segments[^1], edit.Value switch
            {
                bool b => ScalarNode.Bool(b),
                _ => ScalarNode.Number(Convert.ToInt64(edit.Value, CultureInfo.InvariantCulture)),
            });
        }
        return YamlWriter.Write(root);
    }
}
