using System.Text;
using Newtonsoft.Json.Linq;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// kubectl's <c>-o jsonpath=TEMPLATE</c>: literal text with <c>{expression}</c>s, each a JSONPath relative to the
/// document (<c>{.items[*].name}</c>, <c>{.items[?(@.status.phase=='Failed')].name}</c>), or a quoted literal
/// (<c>{"\n"}</c>). The values an expression selects print separated by spaces, strings bare, objects as JSON.
/// Expressions are evaluated by Json.NET's JSONPath (Goessner's syntax); kubectl's <c>range</c>/<c>end</c> are not
/// supported (say so, and use -o json with jq).
/// </summary>
public sealed class JsonPathTemplate
{
    private readonly IReadOnlyList<(bool IsPath, string Text)> _parts;

    private JsonPathTemplate(IReadOnlyList<(bool, string)> parts) => _parts = parts;

    public static bool TryParse(string template, out JsonPathTemplate? parsed, out string? problem)
    {
        parsed = null;
        problem = null;
        var parts = new List<(bool, string)>();
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                literal.Append(template[i]);
                continue;
            }
            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                problem = $"unclosed {{ at character {i + 1} of the template";
                return false;
            }
            var expression = template[(i + 1)..close].Trim();
            i = close;
            if (expression.Length >= 2 && expression[0] == '"' && expression[^1] == '"')
            {
                literal.Append(System.Text.RegularExpressions.Regex.Unescape(expression[1..^1]));
                continue;
            }
            if (expression.StartsWith("range", StringComparison.Ordinal) || expression == "end")
            {
                problem = "{range}/{end} are not supported; use -o json and jq";
                return false;
            }
            if (expression.Length == 0 || (expression[0] != '.' && expression[0] != '$' && expression[0] != '['))
            {
                problem = $"\"{expression}\" is not a JSONPath (start it with a dot: {{.items[*].name}})";
                return false;
            }
            if (literal.Length > 0)
            {
                parts.Add((false, literal.ToString()));
                literal.Clear();
            }
            var path = expression[0] == '$' ? expression : "$" + (expression == "." ? "" : expression);
            try
            {
                _ = new JObject().SelectTokens(path).ToList();
            }
            catch (Newtonsoft.Json.JsonException e)
            {
                problem = $"\"{expression}\": {e.Message}";
                return false;
            }
            parts.Add((true, path));
        }
        if (literal.Length > 0)
        {
            parts.Add((false, literal.ToString()));
        }
        parsed = new JsonPathTemplate(parts);
        return true;
    }

    /// <summary>Applies the template to a JSON document (what <c>-o json</c> prints).</summary>
    public string Render(string json)
    {
        var document = JToken.Parse(json);
        var output = new StringBuilder();
        foreach (var (isPath, text) in _parts)
        {
            if (!isPath)
            {
                output.Append(text);
                continue;
            }
            output.AppendJoin(' ', document.SelectTokens(text).Select(t => t.Type switch
            {
                JTokenType.String => t.Value<string>(),
                JTokenType.Object or JTokenType.Array => t.ToString(Newtonsoft.Json.Formatting.None),
                JTokenType.Null => "",
                _ => t.ToString(Newtonsoft.Json.Formatting.None),
            }));
        }
        return output.ToString();
    }
}
