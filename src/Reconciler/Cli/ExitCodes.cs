namespace Coordinator.Reconciler.Cli;

/// <summary>Process exit codes, documented in --help (root help lists them) and docs/cli.md.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>User error: bad spec, job not found, an action the job's phase does not allow; `watch`: the job Failed.</summary>
    public const int UserError = 1;
    /// <summary>Usage error: bad arguments or settings.</summary>
    public const int Usage = 2;
    /// <summary>The environment failed: AWS or Slurm unreachable, permissions, tables missing.</summary>
    public const int Environment = 3;
    /// <summary>A conditional write lost to a concurrent change; rerun.</summary>
    public const int Conflict = 4;
    /// <summary>`watch`: the job ended Cancelled.</summary>
    public const int JobCancelled = 5;
    /// <summary>`watch`: the job is Invalid (its spec must be fixed before it can run).</summary>
    public const int JobInvalid = 6;
    /// <summary>`watch --timeout`: the job had not finished when the timeout passed.</summary>
    public const int Timeout = 7;

    /// <summary>The exit-code table, as the root --help prints it.</summary>
    public const string Table =
        "Exit codes:\n" +
        "  0  success (watch: the job Succeeded)\n" +
        "  1  user error: bad spec, job or batch not found, not allowed in the job's phase (watch: the job Failed)\n" +
        "  2  usage error: bad arguments or settings\n" +
        "  3  environment error: AWS or Slurm unreachable or refused, tables missing\n" +
        "  4  conflict: the job changed concurrently; run again\n" +
        "  5  watch: the job was Cancelled\n" +
        "  6  watch: the job is Invalid (fix its spec)\n" +
        "  7  watch --timeout: the job had not finished in time";
}
