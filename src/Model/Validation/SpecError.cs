using System.Text;

namespace Coordinator.Model.Validation;

/// <summary>
/// One problem in a job spec: the field's path (e.g. <c>spec.slurm.maxConcurrent</c>, <c>spec.handler.command[0]</c>),
/// a message a user can act on, and the 1-based line and column when the spec came from YAML.
/// <see cref="Source"/> names the file when it is not the one the user passed (an <c>extends:</c> base, a template).
/// </summary>
public sealed record SpecError(string Path, string Message, int? Line, int? Column)
{
    public string? Source { get; init; }

    /// <summary>Formats as <c>spec.slurm.maxConcurrent (line 21, col 20): must be between 1 and 100000, got 0</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Path.Length == 0 ? "(document)" : Path);
        if (Line is not null || Source is not null)
        {
            sb.Append(" (");
            if (Source is not null)
            {
                sb.Append(Source);
                if (Line is not null)
                {
                    sb.Append(' ');
                }
            }
            if (Line is not null)
            {
                sb.Append("line ").Append(Line.Value);
                if (Column is not null)
                {
                    sb.Append(", col ").Append(Column.Value);
                }
            }
            sb.Append(')');
        }
        sb.Append(": ").Append(Message);
        return sb.ToString();
    }
}
