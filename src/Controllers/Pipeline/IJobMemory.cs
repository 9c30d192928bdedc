namespace Coordinator.Controllers.Pipeline;

/// <summary>
/// Per-job state the daemon keeps between passes (task snapshots, stream images waiting to be folded in, Slurm outage
/// backoffs). It is only a cache of what the tables and Slurm say, so it may be dropped at any time: the reconciler
/// forgets a job when it is finished or gone, and forgets everything at the start of each leadership term, since
/// another daemon may have led in between and this one saw none of its changes.
/// </summary>
public interface IJobMemory
{
    /// <summary>How many jobs this memory holds something for (a gauge, and what the memory tests read).</summary>
    int Jobs { get; }

    void Forget(string job);

    void ForgetAll();
}
