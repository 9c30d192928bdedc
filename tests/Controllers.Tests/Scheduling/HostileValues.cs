namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>Values a shell would act on if anything ever interpreted them; each tries to create <c>canary</c>.</summary>
internal static class HostileValues
{
    public static IReadOnlyList<string> For(string canary) =>
    [
        $"$(touch {canary})",
        $"`touch {canary}`",
        $"; touch {canary}",
        $"x\ntouch {canary}\n#SBATCH --wrap=touch",
        $"'; touch {canary}; '",
        $"\"; touch {canary}; \"",
        $"&& touch {canary} || true",
        $"| touch {canary}",
        "../../etc/passwd",
        "$HOME ${PATH} $$ $? $0 *",
        "back\\slash \\' \\\"",
        "",
        " leading and trailing spaces ",
        "tab\there",
    ];
}
