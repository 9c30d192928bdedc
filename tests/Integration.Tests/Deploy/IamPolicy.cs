using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coordinator.Integration.Tests.Deploy;

/// <summary>One Allow statement of an IAM policy document.</summary>
internal sealed record IamStatement(string Sid, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources);

/// <summary>
/// An identity policy from deploy/iam, parsed strictly (Version 2012-10-17, Allow statements with Sid, Action and
/// Resource lists) and evaluated the way IAM matches Allow statements: action and resource with * and ? wildcards.
/// Enough to ask "may the worker do X on Y" without AWS (moto does not enforce IAM).
/// </summary>
internal sealed partial class IamPolicy
{
    private IamPolicy(string name, IReadOnlyList<IamStatement> statements)
    {
        Name = name;
        Statements = statements;
    }

    public string Name { get; }
    public IReadOnlyList<IamStatement> Statements { get; }
    public IEnumerable<string> Actions => Statements.SelectMany(s => s.Actions).Distinct(StringComparer.Ordinal);

    public static IamPolicy Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var name = System.IO.Path.GetFileName(path);
        if (root.GetProperty("Version").GetString() != "2012-10-17")
        {
            throw new InvalidDataException($"{name}: Version must be 2012-10-17");
        }
        var statements = new List<IamStatement>();
        foreach (var statement in root.GetProperty("Statement").EnumerateArray())
        {
            var sid = statement.GetProperty("Sid").GetString()!;
            if (!SidPattern().IsMatch(sid))
            {
                throw new InvalidDataException($"{name}: Sid \"{sid}\" must be alphanumeric");
            }
            if (statement.GetProperty("Effect").GetString() != "Allow")
            {
                throw new InvalidDataException($"{name} {sid}: only Allow statements are expected");
            }
            var actions = statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!).ToList();
            var resources = statement.GetProperty("Resource").EnumerateArray().Select(r => r.GetString()!).ToList();
            if (actions.Count == 0 || resources.Count == 0)
            {
                throw new InvalidDataException($"{name} {sid}: empty Action or Resource");
            }
            var unknownKey = statement.EnumerateObject().Select(p => p.Name).FirstOrDefault(k => k is not ("Sid" or "Effect" or "Action" or "Resource"));
            if (unknownKey is not null)
            {
                throw new InvalidDataException($"{name} {sid}: unexpected key {unknownKey}");
            }
            statements.Add(new IamStatement(sid, actions, resources));
        }
        return new IamPolicy(name, statements);
    }

    public bool Allows(string action, string resource) =>
        Statements.Any(s => s.Actions.Any(a => Matches(a, action)) && s.Resources.Any(r => Matches(r, resource)));

    /// <summary>IAM wildcard match: * any run of characters, ? one character; actions case-insensitive.</summary>
    private static bool Matches(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [GeneratedRegex("^[A-Za-z0-9]+$")]
    private static partial Regex SidPattern();
}
