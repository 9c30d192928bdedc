using System.Globalization;
using System.Text.RegularExpressions;

namespace Coordinator.Model.Documents;

/// <summary>
/// YAML 1.2 core-schema typing of plain scalars, for the few places a plain scalar must get a type without a field
/// to bind to (writing a template's YAML out as an item, canonical hashing). Binding to a field never uses it: the
/// field's type decides.
/// </summary>
public static partial class PlainScalars
{
    public static ScalarNode Resolve(ScalarNode s)
    {
        if (s.Kind != ScalarKind.Plain)
        {
            return s;
        }
        var v = s.Value!;
        if (IsNull(v))
        {
            return new ScalarNode(null, ScalarKind.Null) { Mark = s.Mark, Dialect = s.Dialect };
        }
        if (v is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return new ScalarNode(v.ToLowerInvariant(), ScalarKind.Bool) { Mark = s.Mark, Dialect = s.Dialect };
        }
        if (NumberPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return new ScalarNode(v.TrimStart('+'), ScalarKind.Number) { Mark = s.Mark, Dialect = s.Dialect };
        }
        return new ScalarNode(v, ScalarKind.String) { Mark = s.Mark, Dialect = s.Dialect };
    }

    public static bool IsNull(string v) => v is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>True when a string written plain would read back as something other than that string.</summary>
    public static bool IsAmbiguous(string v) =>
        IsNull(v) || v is "true" or "True" or "TRUE" or "false" or "False" or "FALSE" || NumberPattern().IsMatch(v)
        || v.StartsWith("0x", StringComparison.Ordinal) || v.StartsWith("0o", StringComparison.Ordinal)
        || v is ".inf" or "-.inf" or ".nan" or ".Inf" or ".NaN";

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex NumberPattern();
}
