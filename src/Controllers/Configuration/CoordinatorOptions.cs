using System.ComponentModel.DataAnnotations;
using Coordinator.Data.Layout;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Configuration;

/// <summary>
/// The one options model, bound from section "Coordinator": appsettings.json, then COORDINATOR__* environment
/// variables, then the command line. Validated at start; a bad value fails fast naming the setting.
/// Endpoints default to the standard AWS_ENDPOINT_URL and the AWS credentials chain.
/// </summary>
public sealed class CoordinatorOptions
{
    public const string SectionName = "Coordinator";

    /// <summary>Overrides AWS_ENDPOINT_URL for every AWS client; null means the SDK's default resolution.</summary>
    public string? EndpointUrl { get; set; }
    /// <summary>
    /// AWS region (`--region`); null means the chain the AWS CLI follows: AWS_REGION, AWS_DEFAULT_REGION, the profile's
    /// region, the instance's (EC2 metadata); no region from any of them is an error naming them.
    /// </summary>
    public string? Region { get; set; }
    /// <summary>
    /// AWS named profile (`--profile`) for credentials and region, from ~/.aws/credentials and ~/.aws/config; null means
    /// AWS_PROFILE, else the SDK's default credential chain (environment, profile "default", SSO, instance role).
    /// </summary>
    public string? Profile { get; set; }

    [Required, RegularExpression("^[a-zA-Z0-9_.-]{3,255}$")]
    public string JobsTable { get; set; } = "coordinator-jobs";
    [Required, RegularExpression("^[a-zA-Z0-9_.-]{3,255}$")]
    public string TasksTable { get; set; } = "coordinator-tasks";
    [Required, RegularExpression("^[a-zA-Z0-9_.-]{3,255}$")]
    public string LeasesTable { get; set; } = "coordinator-leases";
    /// <summary>Bucket for batches, results and manifests.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    public string Bucket { get; set; } = "coordinator";
    /// <summary>Where batches/results/manifests live: s3://{Bucket}/ by default, or a file:// root on a shared filesystem.</summary>
    public string? DataRoot { get; set; }

    /// <summary>The data root in force: <see cref="DataRoot"/> when set, else s3://{Bucket}.</summary>
    public Uri DataRootUri => new(DataRoot is { Length: > 0 } root ? root : $"s3://{Bucket}");

    /// <summary>
    /// Directories a job's file:// input and output may be in (symlinks followed, at validation and at every access).
    /// Unset: the parent directory of a file:// data root, or none when the data root is on S3, so file:// is refused.
    /// </summary>
    public string[]? FileRoots { get; set; }

    /// <summary>The file roots in force, with the file:// data root (<see cref="Data.Storage.FileRoots.For"/>).</summary>
    public Data.Storage.FileRoots FileRootsInForce() => Data.Storage.FileRoots.For(FileRoots, DataRootUri);

    /// <summary>The layout of <paramref name="job"/>'s current generation under the data root.</summary>
    public JobLayout LayoutFor(Job job) => new(DataRootUri, job.Name, job.Generation);

    /// <summary>
    /// This deployment's identity on a Slurm cluster shared with others: carried in every submission's --comment, and
    /// every squeue, scancel and scontrol is scoped to it (and to the submitting user). Unset: derived from the jobs
    /// table, tasks table and data root (<see cref="DeploymentIdentity.Derive"/>). Set it when two deployments share
    /// those three names (for instance in two AWS accounts on one cluster), or to keep the identity across a rename.
    /// </summary>
    [RegularExpression(DeploymentIdentity.Pattern)]
    public string? Deployment { get; set; }

    /// <summary>The deployment identity in force: <see cref="Deployment"/> when set, else the derived one.</summary>
    public string DeploymentId => Deployment is { Length: > 0 } configured ? configured : DeploymentIdentity.Derive(JobsTable, TasksTable, DataRootUri);

    /// <summary>
    /// Which scheduler runs the workers: <c>slurm</c> (the default: sbatch, squeue, scancel, scontrol) or <c>local</c>
    /// (<see cref="SchedulerKinds.Local"/>: child processes of the daemon, for development on a machine without Slurm).
    /// </summary>
    public string Scheduler { get; set; } = SchedulerKinds.Slurm;

    /// <summary>True when <see cref="Scheduler"/> says <c>local</c>.</summary>
    public bool UsesLocalScheduler => string.Equals(Scheduler, SchedulerKinds.Local, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Least time between two writes of a partition pass's progress onto the job (<c>status.partition</c>); a write also
    /// needs at least one batch cut since the last one. Zero: after every batch (tests).
    /// </summary>
    public TimeSpan PartitionProgressInterval { get; set; } = TimeSpan.FromSeconds(2);

    public SlurmOptions Slurm { get; set; } = new();
    public HeartbeatOptions Heartbeat { get; set; } = new();
    public DispatchOptions Dispatch { get; set; } = new();
    public DynamoDbOptions DynamoDb { get; set; } = new();
}

/// <summary>The values of <see cref="CoordinatorOptions.Scheduler"/>.</summary>
public static class SchedulerKinds
{
    /// <summary>Slurm through its own commands: what every cluster runs.</summary>
    public const string Slurm = "slurm";
    /// <summary>
    /// The same worker argv and environment as local child processes of the daemon (LocalScheduler): at most
    /// maxConcurrent at a time, holdable and cancellable, listed from the daemon's memory. For a laptop without Slurm.
    /// </summary>
    public const string Local = "local";

    public static readonly IReadOnlyList<string> All = [Slurm, Local];
}

/// <summary>Site defaults for Slurm submissions; a job's spec.slurm overrides them.</summary>
public sealed class SlurmOptions
{
    public string? Partition { get; set; }
    /// <summary>Directory for per-task stdout/stderr files (must be visible to the head node).</summary>
    [Required]
    public string LogDirectory { get; set; } = "/var/log/coordinator/slurm";
    /// <summary>Absolute path of the coordinator executable the batch script runs as the worker.</summary>
    public string? WorkerExecutable { get; set; }
    /// <summary>
    /// Environment variables (NAME = value) every worker runs with, on top of the few non-secret ones taken from the
    /// daemon (<see cref="Coordinator.Controllers.Dispatch.WorkerEnvironment"/>): the worker's credential source, e.g.
    /// AWS_PROFILE=coordinator-worker or AWS_SHARED_CREDENTIALS_FILE=/etc/coordinator/worker-credentials. sbatch runs
    /// with --export=NONE, so nothing else of the daemon's environment — its AWS keys, session token or profile
    /// included — reaches a Slurm task. Values are written into the batch script (which Slurm keeps, readable by the
    /// submitting user): name a credential file or profile here rather than pasting a secret. Empty by default: the
    /// worker then finds credentials by the SDK's chain on its node (instance profile, ~/.aws of the user).
    /// </summary>
    public Dictionary<string, string> WorkerEnvironment { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Budget of outstanding (pending or running) array tasks across all of this deployment's jobs, pilots included
    /// (stays under Slurm's MaxJobCount); enforced across jobs, from one squeue per pass.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxOutstandingTasks { get; set; } = 5000;
    /// <summary>
    /// How long one squeue listing of the deployment serves every job's pass (default 1 s). A listing older than this
    /// daemon's last sbatch, scancel or scontrol is never used.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ListingMaxAge { get; set; } = TimeSpan.FromSeconds(1);
}
