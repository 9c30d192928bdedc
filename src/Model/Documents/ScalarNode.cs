using System.Globalization;

namespace Coordinator.Model.Documents;

/// <summary>A leaf value: its text (null for <see cref="ScalarKind.Null"/>) and the type it was written with.</summary>
public sealed class ScalarNode : SpecNode
{
    public ScalarNode(string? value, ScalarKind kind)
    {
        Value = kind == ScalarKind.Null ? null : value ?? "";
        Kind = kind;
    }

    public string? Value { get; }
    public ScalarKind Kind { get; }

    /// <summary>A YAML null (<c>~</c>, <c>null</c>, empty) or a DynamoDB NULL: treated as "not set".</summary>
    public bool IsNull => Kind == ScalarKind.Null;

    public static ScalarNode String(string value) => new(value, ScalarKind.String);
    public static ScalarNode Number(long value) => new(value.ToString(CultureInfo.InvariantCulture), ScalarKind.Number);
    public static ScalarNode Number(double value) => new(value.ToString("R", CultureInfo.InvariantCulture), ScalarKind.Number);
    public static ScalarNode Bool(bool value) => new(value ? "true" : "false", ScalarKind.Bool);
    public static ScalarNode Null() => new(null, ScalarKind.Null);

    public override SpecNode DeepClone() => new ScalarNode(Value, Kind) { Mark = Mark, Dialect = Dialect };

    public override string Describe() => Dialect == NodeDialect.Item
        ? Kind switch
        {
            ScalarKind.Number => $"N {Value}",
            ScalarKind.Bool => $"BOOL {Value}",
            ScalarKind.Null => "NULL",
            _ => $"S \"{Value}\"",
        }
        : Kind switch
        {
            ScalarKind.Null => "null",
            ScalarKind.Bool or ScalarKind.Number => Value!,
            _ => $"\"{Value}\"",
        };
}
