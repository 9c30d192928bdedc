using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>
/// A unit-test stand-in for the state store with the same conditional-write contract (version must match, else
/// ConflictException). Items are deep-copied in and out, as a real store would. The DynamoDB adapter itself is tested
/// against moto and DynamoDB Local in Integration.Tests.
/// </summary>
internal sealed class InMemoryStateStore : IStateStore
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new();
    private readonly ConcurrentDictionary<(string, int), JobTask> _tasks = new();
    private readonly Lock _gate = new();

    public int TaskWrites;

    private static T Copy<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value))!;

    public void Seed(Job job) => _jobs[job.Name] = Copy(job);

    public Task<Job?> GetJobAsync(string name, CancellationToken ct) =>
        Task.FromResult(_jobs.TryGetValue(name, out var job) ? Copy(job) : null);

    public async IAsyncEnumerable<string> ListActiveJobNamesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        foreach (var name in _jobs.Keys)
        {
            yield return name;
        }
    }

    public async IAsyncEnumerable<Job> ListJobsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        foreach (var job in _jobs.Values)
        {
            yield return Copy(job);
        }
    }

    public Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct)
    {
        _jobs[job.Name] = Copy(job);
        return Task.CompletedTask;
    }

    public Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(job.Name, out var current) || current.Version != job.Version)
            {
                throw new ConflictException($"job {job.Name} moved");
            }
            var next = Copy(job);
            next.Version = job.Version + 1;
            _jobs[job.Name] = next;
            return Task.FromResult(next.Version);
        }
    }

    public Task DeleteJobAsync(string name, CancellationToken ct)
    {
        _jobs.TryRemove(name, out _);
        return Task.CompletedTask;
    }

    public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        foreach (var task in tasks)
        {
            _tasks.TryAdd((task.Job, task.Index), Copy(task));
        }
        return Task.CompletedTask;
    }

    public Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct) =>
        Task.FromResult(_tasks.TryGetValue((job, index), out var task) ? Copy(task) : null);

    public Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct)
    {
        var start = pageToken is null ? 0 : int.Parse(pageToken, System.Globalization.CultureInfo.InvariantCulture);
        var all = _tasks.Values.Where(t => t.Job == job).OrderBy(t => t.Index).ToList();
        var page = all.Skip(start).Take(pageSize).Select(Copy).ToList();
        var next = start + pageSize < all.Count ? (start + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Task.FromResult(new TaskPage(page, next));
    }

    public Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_tasks.TryGetValue((task.Job, task.Index), out var current) || current.Version != task.Version)
            {
                throw new ConflictException($"task {task.Job}/{task.Index} moved");
            }
            var next = Copy(task);
            next.Version = task.Version + 1;
            _tasks[(task.Job, task.Index)] = next;
            Interlocked.Increment(ref TaskWrites);
            return Task.FromResult(next.Version);
        }
    }

    public Task DeleteTasksAsync(string job, CancellationToken ct)
    {
        foreach (var key in _tasks.Keys.Where(k => k.Item1 == job))
        {
            _tasks.TryRemove(key, out _);
        }
        return Task.CompletedTask;
    }

    public JobTask Stored(string job, int index) => Copy(_tasks[(job, index)]);
}
