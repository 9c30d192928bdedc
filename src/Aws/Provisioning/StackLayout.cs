using Coordinator.Controllers.Configuration;

namespace Coordinator.Aws.Provisioning;

/// <summary>
/// The key schemas of Coordinator's tables, in one place (docs/architecture.md gives the reasons).
/// Jobs are addressed by name, the user-facing identity. Tasks are partitioned by job and sorted by batch index, so
/// one Query pages through a job's tasks in index order and a single task is a GetItem. Leases are addressed by name.
/// </summary>
public static class StackLayout
{
    /// <summary>Partition key of the jobs table: the job's metadata.name (fixed by the v1 API).</summary>
    public const string JobsPartitionKey = "name";
    /// <summary>Partition key of the tasks table: the owning job's name.</summary>
    public const string TasksPartitionKey = "job";
    /// <summary>Sort key of the tasks table: the batch index (a number, so Query returns tasks in index order).</summary>
    public const string TasksSortKey = "index";
    /// <summary>Partition key of the leases table: the lease's name (e.g. the leader-election lease).</summary>
    public const string LeasesPartitionKey = "name";
    /// <summary>The stream view every table gets: the daemon needs both images to see what changed.</summary>
    public const string StreamViewType = "NEW_AND_OLD_IMAGES";

    /// <summary>The three tables, named from <paramref name="options"/>.</summary>
    public static IReadOnlyList<TableDefinition> Tables(CoordinatorOptions options) =>
    [
        new(options.JobsTable, new TableKey(JobsPartitionKey, "S")),
        new(options.TasksTable, new TableKey(TasksPartitionKey, "S"), new TableKey(TasksSortKey, "N")),
        new(options.LeasesTable, new TableKey(LeasesPartitionKey, "S")),
    ];
}
