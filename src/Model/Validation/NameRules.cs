using System.Text.RegularExpressions;
using Coordinator.Model.Spec;

namespace Coordinator.Model.Validation;

/// <summary>
/// Job and template names become DynamoDB keys, S3 prefixes, directory names and Slurm job names, so they are kept
/// to <c>[a-z0-9-]{1,63}</c>: no path separators, no dots (no traversal), nothing a shell or Slurm would mangle.
/// </summary>
public static partial class NameRules
{
    /// <summary>The problem with <paramref name="name"/>, or null when it is a valid name.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is required";
        }
        if (name.Length > JobSpecDefaults.MaxNameLength)
        {
            return $"must be at most {JobSpecDefaults.MaxNameLength} characters, got {name.Length}";
        }
        return NamePattern().IsMatch(name) ? null : $"must contain only lowercase letters, digits and '-', got \"{name}\"";
    }

    public static bool IsValid(string? name) => Check(name) is null;

    [GeneratedRegex(@"^[a-z0-9-]{1,63}\z")]
    private static partial Regex NamePattern();
}
