namespace Coordinator.Chaos.Tests;

/// <summary>
/// The fuzz set for spec strings: every combination of a prefix, an injection and a suffix. Each injection would
/// create the marker file (or read/write outside the job) if anything ever handed the value to a shell or a path
/// join: command substitution, backticks, separators, pipes, redirections, newlines (with and without #SBATCH),
/// quote breaking, $IFS tricks, Slurm % patterns, and path traversal.
/// </summary>
internal static class HostileFuzz
{
    private static readonly string[] Prefixes = ["", "x", "a b", "'", "\"", "\\", "\t"];
    private static readonly string[] Suffixes = ["", "'", "\"", "\\", " #", "\n", ";"];

    public static IReadOnlyList<string> Injections(string marker) =>
    [
        $"$(touch {marker})",
        $"`touch {marker}`",
        $"; touch {marker}",
        $"&& touch {marker}",
        $"|| touch {marker}",
        $"| touch {marker}",
        $"& touch {marker} &",
        $"\ntouch {marker}\n",
        $"\r\ntouch {marker}\r\n",
        $"'; touch {marker}; echo '",
        $"\"; touch {marker}; echo \"",
        $"'\"$(touch {marker})\"'",
        $"$((1+1))$(touch {marker})",
        $"${{IFS}}touch${{IFS}}{marker}",
        $"> {marker}",
        $">> {marker}",
        $"\n#SBATCH --wrap=\"touch {marker}\"\n",
        $"%x%j%A%a$(touch {marker})",
        $"$'\\x74ouch' {marker}",
        $"{{touch,{marker}}}",
        $"\\$(touch {marker})",
        "../../../../../../etc/passwd",
        "../..",
        "..",
        "/",
        "*",
        "~root",
        "$HOME ${PATH} $$ $? $0 $@ $*",
        "!! !-1",
    ];

    /// <summary>Prefix × injection × suffix: ~1,400 values.</summary>
    public static IReadOnlyList<string> All(string marker) =>
        [.. from prefix in Prefixes from injection in Injections(marker) from suffix in Suffixes select prefix + injection + suffix];
}
