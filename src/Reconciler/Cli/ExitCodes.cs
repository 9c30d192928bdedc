namespace Coordinator.Reconciler.Cli;

/// <summary>Process exit codes, documented in --help.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>User error: bad spec, job failed when waited on, job not found.</summary>
    public const int UserError = 1;
    /// <summary>Usage error: bad arguments.</summary>
    public const int Usage = 2;
    /// <summary>The environment failed: AWS or Slurm unreachable, permissions.</summary>
    public const int Environment = 3;
    /// <summary>A conditional write lost to a concurrent change; rerun.</summary>
    public const int Conflict = 4;
}
