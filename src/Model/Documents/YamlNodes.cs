using Coordinator.Model.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Coordinator.Model.Documents;

/// <summary>
/// YAML text → document tree, through YamlDotNet's representation model so every node keeps its line and column.
/// Syntax errors, duplicate keys, non-string keys and multi-document input come back as <see cref="SpecError"/>s;
/// nothing throws.
/// </summary>
public static class YamlNodes
{
    private const string StringTag = "tag:yaml.org,2002:str";

    /// <summary>Parses one YAML document. Returns null (with errors) when the text is not usable YAML.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="errors">Receives every problem found.</param>
    /// <param name="pathPrefix">Path given to syntax errors and, for embedded YAML (<c>specYaml</c>), the document root.</param>
    /// <param name="source">File name for positions; null for the main input.</param>
    /// <param name="lineOffset">Added to every line, for YAML embedded in a larger document.</param>
    public static SpecNode? Parse(string text, List<SpecError> errors, string? source = null, string pathPrefix = "", int lineOffset = 0)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var message = Clean(ex);
            var (line, column) = message.Contains("tab", StringComparison.Ordinal) && FirstTabIndent(text) is { } tab
                ? tab
                : ((int)ex.Start.Line, (int)ex.Start.Column);
            errors.Add(new SpecError(pathPrefix, $"YAML syntax error: {message}", line + lineOffset, column) { Source = source });
            return null;
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet's representation model refuses some event sequences its parser accepts (a directive where a
            // node belongs): "The current event is of an unsupported type". No position comes with it.
            errors.Add(new SpecError(pathPrefix, $"YAML syntax error: the document could not be parsed ({ex.Message.Split(" (Parameter", 2)[0]})", null, null) { Source = source });
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way (without a position) on an unclosed flow collection.
            var open = UnclosedBracket(text);
            errors.Add(new SpecError(pathPrefix, open is null
                ? "YAML syntax error: the document could not be parsed"
                : "YAML syntax error: this [ or { is never closed", open?.Line + lineOffset, open?.Column) { Source = source });
            return null;
        }
        if (stream.Documents.Count == 0)
        {
            errors.Add(new SpecError(pathPrefix, "the YAML document is empty", null, null) { Source = source });
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            errors.Add(new SpecError(pathPrefix, "expected one YAML document, found several (remove the extra '---')", (int)second.Line + lineOffset, (int)second.Column)
            { Source = source });
            return null;
        }
        var before = errors.Count;
        var node = Convert(stream.Documents[0].RootNode, errors, source, pathPrefix, lineOffset);
        return errors.Count == before ? node : null;
    }

    private static SpecNode Convert(YamlNode node, List<SpecError> errors, string? source, string path, int lineOffset)
    {
        var mark = new SourceMark(source, (int)node.Start.Line + lineOffset, (int)node.Start.Column);
        switch (node)
        {
            case YamlMappingNode mapping:
                var map = new MapNode { Mark = mark, Dialect = NodeDialect.Yaml };
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var keyMark = new SourceMark(source, (int)keyNode.Start.Line + lineOffset, (int)keyNode.Start.Column);
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        errors.Add(new SpecError(path, "map keys must be plain strings", keyMark.Line, keyMark.Column) { Source = source });
                        continue;
                    }
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    map.Set(key, Convert(valueNode, errors, source, childPath, lineOffset), keyMark);
                }
                return map;
            case YamlSequenceNode sequence:
                var list = new ListNode { Mark = mark, Dialect = NodeDialect.Yaml };
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    list.Items.Add(Convert(item, errors, source, $"{path}[{i++}]", lineOffset));
                }
                return list;
            case YamlScalarNode scalar:
                var kind = scalar.Style is ScalarStyle.Plain && scalar.Tag.IsEmpty
                    ? (PlainScalars.IsNull(scalar.Value ?? "") ? ScalarKind.Null : ScalarKind.Plain)
                    : ScalarKind.String;
                if (!scalar.Tag.IsEmpty && scalar.Tag.Value != StringTag && !scalar.Tag.Value.StartsWith('!'))
                {
                    kind = ScalarKind.Plain;
                }
                return new ScalarNode(scalar.Value, kind) { Mark = mark, Dialect = NodeDialect.Yaml };
            default:
                errors.Add(new SpecError(path, $"unsupported YAML node {node.NodeType}", mark.Line, mark.Column) { Source = source });
                return new ScalarNode(null, ScalarKind.Null) { Mark = mark, Dialect = NodeDialect.Yaml };
        }
    }

    /// <summary>The first line indented with a tab, which YAML forbids; YamlDotNet reports the enclosing map instead.</summary>
    private static (int Line, int Column)? FirstTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                return (i + 1, tab + 1);
            }
        }
        return null;
    }

    /// <summary>Position of the innermost [ or { left open at the end, ignoring quoted text and comments.</summary>
    private static (int Line, int Column)? UnclosedBracket(string text)
    {
        var stack = new Stack<(int, int)>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            char? quote = null;
            for (var j = 0; j < lines[i].Length; j++)
            {
                var c = lines[i][j];
                if (quote is not null)
                {
                    quote = c == quote ? null : quote;
                    continue;
                }
                switch (c)
                {
                    case '"' or '\'':
                        quote = c;
                        break;
                    case '#' when j == 0 || lines[i][j - 1] == ' ':
                        j = lines[i].Length;
                        break;
                    case '[' or '{':
                        stack.Push((i + 1, j + 1));
                        break;
                    case ']' or '}' when stack.Count > 0:
                        stack.Pop();
                        break;
                }
            }
        }
        return stack.Count > 0 ? stack.Peek() : null;
    }

    /// <summary>YamlDotNet prefixes messages with the position, which SpecError already shows.</summary>
    private static string Clean(YamlException ex)
    {
        var message = ex.InnerException is YamlException inner && inner.Message.Length > 0 ? inner.Message : ex.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && close > 0)
        {
            message = message[(close + 3)..];
        }
        return message.TrimEnd('.');
    }
}
