using System.ComponentModel;
using Amazon.Runtime;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Reconciler.Configuration;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// The one mapping from what went wrong to the exit code, used by every verb (the CLI verbs, validate/plan/submit,
    /// init, worker, daemon): 2 bad settings, 4 a lost conditional write, 1 what the user can fix (a bad spec, a job
    /// or batch not found, an action the job's phase does not allow, a stack that needs a human), 3 AWS or Slurm
    /// unreachable or refusing (including a missing table, and Slurm's commands not installed here: Win32Exception).
    /// Null for a fault none of these describe: it is not handled, so System.CommandLine prints it whole (exit 1).
    /// </summary>
    public static int? For(Exception exception) => exception switch
    {
        CoordinatorConfigurationException or OptionsValidationException or Coordinator.Aws.AwsSetupException => Usage,
        ConflictException => Conflict,
        SpecException or ProvisioningException or IllegalPhaseTransitionException
            or KeyNotFoundException or InvalidOperationException or ArgumentException => UserError,
        AmazonServiceException or AmazonClientException or HttpRequestException or SchedulerException or Win32Exception => Environment,
        _ => null,
    };
}
