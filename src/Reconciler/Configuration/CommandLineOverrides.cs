namespace Coordinator.Reconciler.Configuration;

/// <summary>
/// Picks configuration overrides out of a verb's unmatched tokens: <c>--Coordinator:JobsTable=x</c> or
/// <c>--Coordinator:JobsTable x</c>. Any other unmatched token is returned as rejected, so a typo in a real option
/// is still reported instead of silently ignored.
/// </summary>
public static class CommandLineOverrides
{
    private const string Prefix = "--Coordinator:";

    /// <summary>Splits <paramref name="tokens"/> into override arguments for AddCommandLine and rejected tokens.</summary>
    public static (string[] Overrides, IReadOnlyList<string> Rejected) Split(IReadOnlyList<string> tokens)
    {
        var overrides = new List<string>();
        var rejected = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                rejected.Add(token);
                continue;
            }
            if (token.Contains('=', StringComparison.Ordinal))
            {
                overrides.Add(token);
            }
            else if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                overrides.Add(token + "=" + tokens[++i]);
            }
            else
            {
                rejected.Add(token);
            }
        }
        return (overrides.ToArray(), rejected);
    }
}
