using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli;
using Coordinator.Testing.State;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>JobControl's status writes re-read and retry a lost conditional write (Polly): five attempts in all.</summary>
public sealed class JobControlConflictTests
{
    [Fact]
    public async Task A_lost_status_write_is_reread_and_retried()
    {
        var store = new ConflictingStore(conflicts: 4);
        store.Inner.UserPut(new Job { Name = "wc" });

        var message = await new JobControl(store, scheduler: null).CancelAsync("wc", DateTimeOffset.UtcNow, default);

        Assert.Equal("job \"wc\" cancelled (0 Slurm submissions cancelled)", message);
        Assert.Equal(5, store.StatusWriteAttempts);
        Assert.Equal(5, store.Reads);
        Assert.Equal(JobPhase.Cancelled, store.Inner.Peek("wc")!.Status.Phase);
    }

    [Fact]
    public async Task The_fifth_lost_write_reaches_the_caller()
    {
        var store = new ConflictingStore(conflicts: int.MaxValue);
        store.Inner.UserPut(new Job { Name = "wc" });

        await Assert.ThrowsAsync<ConflictException>(() => new JobControl(store, scheduler: null).CancelAsync("wc", DateTimeOffset.UtcNow, default));

        Assert.Equal(5, store.StatusWriteAttempts);
        Assert.NotEqual(JobPhase.Cancelled, store.Inner.Peek("wc")!.Status.Phase);
    }

    /// <summary>Loses the first <c>conflicts</c> status writes, as if someone else wrote the job each time.</summary>
    private sealed class ConflictingStore(int conflicts) : IStateStore
    {
        public InMemoryStateStore Inner { get; } = new();
        public int StatusWriteAttempts { get; private set; }
        public int Reads { get; private set; }

        public Task<Job?> GetJobAsync(string name, CancellationToken ct)
        {
            Reads++;
            return Inner.GetJobAsync(name, ct);
        }

        public Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct) =>
            ++StatusWriteAttempts <= conflicts ? throw new ConflictException($"job {job.Name} changed") : Inner.UpdateJobStatusAsync(job, ct);

        public IAsyncEnumerable<string> ListActiveJobNamesAsync(CancellationToken ct) => Inner.ListActiveJobNamesAsync(ct);
        public IAsyncEnumerable<Job> ListJobsAsync(CancellationToken ct) => Inner.ListJobsAsync(ct);
        public Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct) => Inner.PutJobSpecAsync(job, replace, ct);
        public Task DeleteJobAsync(string name, CancellationToken ct) => Inner.DeleteJobAsync(name, ct);
        public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct) => Inner.PutTasksAsync(tasks, ct);
        public Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct) => Inner.GetTaskAsync(job, index, ct);
        public Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct) => Inner.QueryTasksAsync(job, pageToken, pageSize, ct);
        public Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct) => Inner.UpdateTaskAsync(task, ct);
        public Task DeleteTasksAsync(string job, CancellationToken ct) => Inner.DeleteTasksAsync(job, ct);
        public Task<int> DeleteStaleTasksAsync(string job, int fromIndex, long generation, CancellationToken ct) =>
            Inner.DeleteStaleTasksAsync(job, fromIndex, generation, ct);
    }
}
