using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Testing.State;

/// <summary>
/// A unit-test stand-in for the state store with the same conditional-write contract as DynamoStateStore (version must
/// match, and with a <see cref="Leadership"/> term the stored leaderTerm must not be newer, else ConflictException; the real one is covered by the integration tests against moto and DynamoDB Local).
/// Items are deep-copied in and out, as a database does. One lock guards jobs and tasks.
/// </summary>
public sealed class InMemoryStateStore : IStateStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Job> _jobs = [];
    private readonly Dictionary<(string, int), JobTask> _tasks = [];

    /// <summary>
    /// The writer's leadership: a term, as the daemon's, makes status writes conditional on the stored term not being
    /// newer and stamps it (DynamoStateStore does the same); <see cref="Unfenced"/> (the default) writes as the CLI does.
    /// </summary>
    public ILeadershipGuard Leadership { get; set; } = Unfenced.Instance;

    /// <summary>Job status writes that succeeded.</summary>
    public int StatusWrites { get; private set; }

    /// <summary>Task writes (<see cref="UpdateTaskAsync"/>) that succeeded.</summary>
    public int TaskWrites { get; private set; }

    /// <summary>Stores the job as it is, status, version and generation included (a job some earlier pass wrote).</summary>
    public void Seed(Job job)
    {
        lock (_gate)
        {
            _jobs[job.Name] = Copy(job);
        }
    }

    /// <summary>What a user's put-item does: replaces the item, dropping status, version and generation.</summary>
    public void UserPut(Job job)
    {
        lock (_gate)
        {
            _jobs[job.Name] = Copy(new Job { Name = job.Name, Spec = job.Spec, Labels = job.Labels, DecodeErrors = job.DecodeErrors });
        }
    }

    /// <summary>What another writer does: bumps the version behind the reconciler's back.</summary>
    public void Touch(string name)
    {
        lock (_gate)
        {
            _jobs[name].Version++;
        }
    }

    /// <summary>A copy of the stored job, or null.</summary>
    public Job? Peek(string name)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue(name, out var job) ? Copy(job) : null;
        }
    }

    /// <summary>A copy of the stored task (which must exist).</summary>
    public JobTask Stored(string job, int index)
    {
        lock (_gate)
        {
            return Copy(_tasks[(job, index)]);
        }
    }

    public Task<Job?> GetJobAsync(string name, CancellationToken ct) => Task.FromResult(Peek(name));

    public async IAsyncEnumerable<string> ListActiveJobNamesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        List<string> names;
        lock (_gate)
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
        lock (_gate)
        {
            jobs = _jobs.Values.Select(Copy).ToList();
        }
        foreach (var job in jobs)
        {
            await Task.Yield();
            yield return job;
        }
    }

    /// <summary>
    /// As DynamoStateStore: creates the job (ConflictException if it exists and <paramref name="replace"/> is false), or
    /// replaces its spec and labels, leaving status, version and generation alone. <see cref="UserPut"/> is put-item.
    /// </summary>
    public Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(job.Name, out var stored))
            {
                UserPut(job);
            }
            else if (!replace)
            {
                throw new ConflictException($"job {job.Name} exists");
            }
            else
            {
                var copy = Copy(job);
                stored.Spec = copy.Spec;
                stored.Labels = copy.Labels;
                stored.DecodeErrors = copy.DecodeErrors;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// As DynamoStateStore: sets only the named fields (suspend, slurm.maxConcurrent, retryGeneration), conditional on
    /// each stored value being the one <paramref name="read"/> has; ConflictException otherwise.
    /// </summary>
    public Task UpdateJobSpecFieldsAsync(Job read, IReadOnlyList<SpecFieldEdit> edits, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(read.Name, out var stored) || edits.Any(e => !Equals(Field(stored.Spec, e.Path), Field(read.Spec, e.Path))))
            {
                throw new ConflictException($"job {read.Name}: {string.Join(", ", edits.Select(e => e.Path))} changed since it was read");
            }
            foreach (var edit in edits)
            {
                switch (edit.Path)
                {
                    case "suspend": stored.Spec.Suspend = (bool)edit.Value; break;
                    case "slurm.maxConcurrent": stored.Spec.Slurm.MaxConcurrent = (int)edit.Value; break;
                    case "retryGeneration": stored.Spec.RetryGeneration = (long)edit.Value; break;
                    default: throw new NotSupportedException($"the in-memory store does not edit spec.{edit.Path}");
                }
            }
        }
        return Task.CompletedTask;
    }

    private static object Field(JobSpec spec, string path) => path switch
    {
        "suspend" => spec.Suspend,
        "slurm.maxConcurrent" => spec.Slurm.MaxConcurrent,
        "retryGeneration" => spec.RetryGeneration,
        _ => throw new NotSupportedException($"the in-memory store does not edit spec.{path}"),
    };

    /// <summary>As DynamoStateStore: replaces spec and labels if both are still as <paramref name="read"/> has them.</summary>
    public Task ReplaceJobSpecAsync(Job read, Job replacement, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(read.Name, out var stored)
                || SpecHash.CanonicalJson(stored.Spec) != SpecHash.CanonicalJson(read.Spec)
                || !stored.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).SequenceEqual(read.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)))
            {
                throw new ConflictException($"job {read.Name}: its spec or labels changed since they were read");
            }
            var copy = Copy(replacement);
            stored.Spec = copy.Spec;
            stored.Labels = copy.Labels;
            stored.DecodeErrors = copy.DecodeErrors;
        }
        return Task.CompletedTask;
    }

    /// <summary>Writes status, generation and spec hash conditional on the version that was read.</summary>
    public Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(job.Name, out var stored) || stored.Version != job.Version)
            {
                throw new ConflictException($"job {job.Name} changed since version {job.Version} was read");
            }
            if (Leadership.Term is { } term)
            {
                if (stored.LeaderTerm > term)
                {
                    throw new ConflictException($"job {job.Name} was written by term {stored.LeaderTerm}, newer than {term}");
                }
                stored.LeaderTerm = term;
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
        if (Leadership.Term is not null && !Leadership.MayActNow())
        {
            throw new LeadershipLostException($"refused to delete job {name}: not leading");
        }
        lock (_gate)
        {
            if (Leadership.Term is { } term && _jobs.TryGetValue(name, out var stored) && stored.LeaderTerm > term)
            {
                throw new ConflictException($"job {name} was written by term {stored.LeaderTerm}, newer than {term}");
            }
            _jobs.Remove(name);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Idempotent, as the port says: an existing item of the same or a newer generation is left alone, one of an older
    /// generation is replaced (as DynamoStateStore does).
    /// </summary>
    public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        lock (_gate)
        {
            foreach (var task in tasks)
            {
                if (_tasks.TryGetValue((task.Job, task.Index), out var existing) && existing.Generation >= task.Generation)
                {
                    continue;
                }
                _tasks[(task.Job, task.Index)] = Copy(task);
            }
        }
        return Task.CompletedTask;
    }

    public Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct)
    {
        lock (_gate)
        {
            return Task.FromResult(_tasks.TryGetValue((job, index), out var task) ? Copy(task) : null);
        }
    }

    /// <summary>Tasks in index order; the page token is the index to start from.</summary>
    public Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct)
    {
        lock (_gate)
        {
            var start = pageToken is null ? 0 : int.Parse(pageToken, CultureInfo.InvariantCulture);
            var all = _tasks.Values.Where(t => t.Job == job).OrderBy(t => t.Index).ToList();
            var page = all.Skip(start).Take(pageSize).Select(Copy).ToList();
            var next = start + pageSize < all.Count ? (start + pageSize).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new TaskPage(page, next));
        }
    }

    public Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_tasks.TryGetValue((task.Job, task.Index), out var current) || current.Version != task.Version || current.Generation != task.Generation)
            {
                throw new ConflictException($"task {task.Job}/{task.Index} moved");
            }
            var next = Copy(task);
            next.Version = task.Version + 1;
            _tasks[(task.Job, task.Index)] = next;
            TaskWrites++;
            return Task.FromResult(next.Version);
        }
    }

    public Task DeleteTasksAsync(string job, CancellationToken ct)
    {
        if (Leadership.Term is not null && !Leadership.MayActNow())
        {
            throw new LeadershipLostException($"refused to delete the tasks of job {job}: not leading");
        }
        lock (_gate)
        {
            foreach (var key in _tasks.Keys.Where(k => k.Item1 == job).ToList())
            {
                _tasks.Remove(key);
            }
        }
        return Task.CompletedTask;
    }

    public Task<int> DeleteStaleTasksAsync(string job, int fromIndex, long generation, CancellationToken ct)
    {
        lock (_gate)
        {
            var stale = _tasks.Where(p => p.Key.Item1 == job && p.Key.Item2 >= fromIndex && p.Value.Generation < generation)
                .Select(p => p.Key).ToList();
            foreach (var key in stale)
            {
                _tasks.Remove(key);
            }
            return Task.FromResult(stale.Count);
        }
    }

    private static T Copy<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value))!;
}
