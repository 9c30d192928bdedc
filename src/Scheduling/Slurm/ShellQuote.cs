using System.Text;

namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// POSIX single-quoting. Inside single quotes a shell interprets nothing at all — not $, backticks, backslashes,
/// semicolons or newlines — so a value quoted here reaches the program byte for byte. The only character that cannot
/// appear is NUL, which no argv or environment value can hold anyway; it is rejected with the field's name.
/// </summary>
public static class ShellQuote
{
    public static string Quote(string value, string field)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{field} contains a NUL character, which no program argument can carry", field);
        }
        var quoted = new StringBuilder(value.Length + 2);
        quoted.Append('\'');
        foreach (var c in value)
        {
            // Close the quote, emit an escaped quote, reopen: the one sequence that puts ' inside a single-quoted word.
            quoted.Append(c == '\'' ? "'\\''" : c.ToString());
        }
        quoted.Append('\'');
        return quoted.ToString();
    }
}
