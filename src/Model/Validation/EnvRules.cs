using System.Text.RegularExpressions;

namespace Coordinator.Model.Validation;

/// <summary>
/// Which of the worker's variables a handler may inherit (spec.handler.inheritEnv: names, or globs with * and ?).
/// Never the worker's credentials or its AWS and coordinator configuration: every AWS_* variable (the SDK's keys,
/// session token, profile, web-identity token file, container credential URIs …) and every COORDINATOR_* variable
/// (the worker's own settings; the handler gets its COORDINATOR_JOB … from the worker instead) are withheld, and an
/// inheritEnv entry that could match one of them is refused by validation.
/// </summary>
public static partial class EnvRules
{
    /// <summary>Prefixes of the variables a handler never inherits from the worker.</summary>
    public static readonly string[] WithheldPrefixes = ["AWS_", "COORDINATOR_"];

    /// <summary>Names that show what a refused glob would have let through (the credential variables of docs/security.md).</summary>
    private static readonly string[] Credentials =
    [
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_SHARED_CREDENTIALS_FILE", "COORDINATOR_WORKER__SCRATCHROOT",
    ];

    /// <summary>True for a variable the worker never passes to a handler, whatever the spec says.</summary>
    public static bool IsWithheld(string name) => WithheldPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>True when <paramref name="name"/> matches the glob <paramref name="pattern"/> (* any run, ? one character).</summary>
    public static bool Matches(string pattern, string name) => Glob(pattern).IsMatch(name);

    /// <summary>Null when <paramref name="pattern"/> is a valid inheritEnv entry; else why it is refused.</summary>
    public static string? CheckInherit(string pattern)
    {
        if (!PatternSyntax().IsMatch(pattern))
        {
            return $"\"{pattern}\" is not a variable name or glob (letters, digits, '_', '*' and '?', not starting with a digit)";
        }
        if (IsWithheld(pattern) || Credentials.FirstOrDefault(c => Matches(pattern, c)) is not null
            || WithheldPrefixes.Any(p => Matches(pattern, p + "X")))
        {
            var example = Credentials.FirstOrDefault(c => Matches(pattern, c)) ?? pattern;
            return $"\"{pattern}\" would pass the worker's credentials or configuration to the handler (it matches {example}); "
                + "AWS_* and COORDINATOR_* are never inherited: name the variables you need (e.g. LD_LIBRARY_PATH, CONDA_*), "
                + "or set values in handler.env";
        }
        return null;
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "\\z",
            RegexOptions.CultureInvariant);

    [GeneratedRegex(@"^[A-Za-z_*?][A-Za-z0-9_*?]*\z")]
    private static partial Regex PatternSyntax();
}
