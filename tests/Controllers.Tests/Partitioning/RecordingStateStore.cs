using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>Unit-test double of IStateStore recording task puts (the DynamoDB adapter is tested against moto elsewhere).</summary>
internal sealed class RecordingStateStore : IStateStore
{
    public Dictionary<(string, int), JobTask> Tasks { get; } = [];
    public int PutCalls { get; private set; }
    public Exception? FailPutWith { get; set; }

    public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        PutCalls++;
        if (FailPutWith is { } e)
            throw e;
        foreach (var t in tasks)
            Tasks.TryAdd((t.Job, t.Index), t);
        return Task.CompletedTask;
    }

    public Task<Job?> GetJobAsync(string name, CancellationToken ct) => throw new NotSupportedException();
    public IAsyncEnumerable<string> ListActiveJobNamesAsync(CancellationToken ct) => throw new NotSupportedException();
    public IAsyncEnumerable<Job> ListJobsAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct) => throw new NotSupportedException();
    public Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct) => throw new NotSupportedException();
    public Task DeleteJobAsync(string name, CancellationToken ct) => throw new NotSupportedException();
    public Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct) => throw new NotSupportedException();
    public Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct) => throw new NotSupportedException();
    public Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct) => throw new NotSupportedException();
    public Task DeleteTasksAsync(string job, CancellationToken ct) => throw new NotSupportedException();
    public Task<int> DeleteStaleTasksAsync(string job, int fromIndex, long generation, CancellationToken ct) => throw new NotSupportedException();
}
