using System.Runtime.CompilerServices;
using System.Text.Json;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Reconciler.Tests.Reconcile;

/// <summary>
/// A unit-test stand-in for the state store with the same version semantics as DynamoStateStore (the real one is
/// covered by the integration tests against moto and DynamoDB Local). Reads hand out deep copies, as a database does.
/// </summary>
internal sealed class InMemoryStateStore : IStateStore
{
    private readonly Dictionary<string, Job> _jobs = [];
    private readonly Dictionary<(string, int), JobTask> _tasks = [];

    public int StatusWrites { get; private set; }

    /// <summary>What a user's put-item does: replaces the item, dropping status, version and generation.</summary>
    public void UserPut(Job job)
    {
        lock (_jobs)
        {
            _jobs[job.Name] = Copy(new Job { Name = job.Name, Spec = job.Spec, Labels = job.Labels, DecodeErrors = job.DecodeErrors });
        }
    }

    /// <summary>What another writer does: bumps the version behind the reconciler's back.</summary>
    public void Touch(string name)
    {
        lock (_jobs)
        {
            _jobs[name].Version++;
        }
    }

    public Job? Peek(string name)
    {
        lock (_jobs)
        {
            return _jobs.TryGetValue(name, out var job) ? Copy(job) : null;
        }
    }

    public Task<Job?> GetJobAsync(string name, CancellationToken ct) => Task.FromResult(Peek(name));

    public async IAsyncEnumerable<string> ListActiveJobNamesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        List<string> names;
        lock (_jobs)
        {
            names = _jobs.Values.Where(j => !PhaseTransitions.IsTerminal(j.Status.Phase)).Select(j => j.Name).ToList();
        }
        foreach (var name in names)
        {
            await Task.Yield();
            yield return name;
        }
    }

    public async IAsyncEnumerable<Job> ListJobsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        List<Job> jobs;
        lock (_jobs)
        {
            jobs = _jobs.Values.Select(Copy).ToList();
        }
        foreach (var job in jobs)
        {
            await Task.Yield();
            yield return job;
        }
    }

    public Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct)
    {
        lock (_jobs)
        {
            if (_jobs.ContainsKey(job.Name) && !replace)
            {
                throw new ConflictException($"job {job.Name} exists");
            }
            UserPut(job);
        }
        return Task.CompletedTask;
    }

    public Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct)
    {
        lock (_jobs)
        {
            if (!_jobs.TryGetValue(job.Name, out var stored) || stored.Version != job.Version)
            {
                throw new ConflictException($"job {job.Name} changed since version {job.Version} was read");
            }
            stored.Status = Copy(job).Status;
            stored.Generation = job.Generation;
            stored.SpecHash = job.SpecHash;
            stored.Version = job.Version + 1;
            StatusWrites++;
            return Task.FromResult(stored.Version);
        }
    }

    public Task DeleteJobAsync(string name, CancellationToken ct)
    {
        lock (_jobs)
        {
            _jobs.Remove(name);
        }
        return Task.CompletedTask;
    }

    public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        lock (_tasks)
        {
            foreach (var task in tasks)
            {
                _tasks[(task.Job, task.Index)] = task;
            }
        }
        return Task.CompletedTask;
    }

    public Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct)
    {
        lock (_tasks)
        {
            return Task.FromResult(_tasks.GetValueOrDefault((job, index)));
        }
    }

    public Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct) =>
        throw new NotSupportedException("not used by these tests");

    public Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    public Task DeleteTasksAsync(string job, CancellationToken ct) => throw new NotSupportedException("not used by these tests");

    private static Job Copy(Job job) => JsonSerializer.Deserialize<Job>(JsonSerializer.Serialize(job))!;
}
