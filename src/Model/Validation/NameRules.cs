using System.Text.RegularExpressions;
using Coordinator.Model.Spec;

namespace Coordinator.Model.Validation;

/// <summary>
/// Job and template names become DynamoDB keys, S3 prefixes, directory names and Slurm job names, so they are kept
/// to <c>[a-z0-9-]{1,63}</c>: no path separators, no dots (no traversal), nothing a shell or Slurm would mangle.
/// They also follow the DNS label rule (start and end with a letter or digit), so a name never starts with '-' and
/// can never be read as an option where it is passed as an argv value (<c>coordinator worker --job -h</c>).
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
        if (!NamePattern().IsMatch(name))
        {
            return $"must contain only lowercase letters, digits and '-', got \"{name}\"";
        }
        return name[0] == '-' || name[^1] == '-' ? $"must start and end with a lowercase letter or digit (a DNS label), got \"{name}\"" : null;
    }

    public static bool IsValid(string? name) => Check(name) is null;

    [GeneratedRegex(@"^[a-z0-9-]{1,63}\z")]
    private static partial Regex NamePattern();
}
