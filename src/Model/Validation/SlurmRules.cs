using System.Text.RegularExpressions;

namespace Coordinator.Model.Validation;

/// <summary>
/// Formats Slurm accepts, checked here so a bad value is a spec error at submit time rather than an sbatch failure
/// minutes later in the daemon's log.
/// </summary>
public static partial class SlurmRules
{
    /// <summary>--mem: a whole number with an optional K, M, G or T suffix (Slurm's default unit is megabytes).</summary>
    public static string? CheckMemory(string value) =>
        MemoryPattern().IsMatch(value) ? null : $"must be a Slurm memory size such as 512M or 2G, got \"{value}\"";

    /// <summary>--time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED.</summary>
    public static string? CheckTimeLimit(string value) =>
        TimePattern().IsMatch(value) ? null
            : $"must be a Slurm time limit such as 30, 01:00:00 or 2-00:00:00, got \"{value}\"";

    /// <summary>Partition, account, qos and gres are passed as single argv words; keep them to Slurm's name characters.</summary>
    public static string? CheckWord(string value) =>
        WordPattern().IsMatch(value) ? null : $"must not contain spaces or special characters, got \"{value}\"";

    [GeneratedRegex(@"^[0-9]+[KMGT]?\z")]
    private static partial Regex MemoryPattern();

    [GeneratedRegex(@"^(UNLIMITED|infinite|[0-9]+(:[0-9]{1,2}){0,2}|[0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2})\z")]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.:,=/+-]+\z")]
    private static partial Regex WordPattern();
}
