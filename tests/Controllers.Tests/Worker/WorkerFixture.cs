using System.Security.Cryptography;
using System.Text;
using Coordinator.Controllers.Configuration;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Testing.State;
using Coordinator.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>A job with batches stored under a temporary file:// data root, and a worker over it.</summary>
internal sealed class WorkerFixture : IDisposable
{
    public WorkerFixture()
    {
        Root = Directory.CreateTempSubdirectory("coord-worker-").FullName;
        Options = new CoordinatorOptions
        {
            DataRoot = new Uri(Path.Combine(Root, "data")).ToString(),
            Heartbeat = { Interval = TimeSpan.FromMilliseconds(100) },
        };
        WorkerOptions = new WorkerOptions
        {
            ScratchRoot = Path.Combine(Root, "scratch"),
            MinFreeBytes = 1024,
            KillGrace = TimeSpan.FromMilliseconds(500),
        };
    }

    public string Root { get; }
    public CoordinatorOptions Options { get; }
    public WorkerOptions WorkerOptions { get; }
    public InMemoryStateStore State { get; } = new();
    public FileObjectStore Store { get; } = new();

    public TaskWorker Worker() =>
        new(State, Store, Options, WorkerOptions, TimeProvider.System, NullLogger<TaskWorker>.Instance);

    public static Job NewJob(string name, params string[] command) => new()
    {
        Name = name,
        Generation = 1,
        Spec = new JobSpec
        {
            Handler = new HandlerSpec { Command = [.. command], Timeout = TimeSpan.FromSeconds(20) },
            Retry = new RetrySpec { MaxAttempts = 2, Backoff = new BackoffSpec { Base = TimeSpan.FromMilliseconds(1), Max = TimeSpan.FromMilliseconds(2) } },
        },
    };

    /// <summary>Stores batches of JSONL records (under the key the layout gives for the job's input format) and their Pending task items; returns the job as the worker reads it.</summary>
    public async Task<Job> SeedAsync(Job job, int batches, int recordsPerBatch = 3, bool corruptFirst = false)
    {
        State.Seed(job);
        var layout = Options.LayoutFor(job);
        var tasks = new List<JobTask>();
        for (var i = 0; i < batches; i++)
        {
            var text = string.Concat(Enumerable.Range(0, recordsPerBatch).Select(r => $"{{\"batch\":{i},\"record\":{r}}}\n"));
            var bytes = Encoding.UTF8.GetBytes(text);
            var uri = layout.Batch(i, job.Spec.Input.Format);
            await using (var writer = await Store.OpenWriteAsync(uri, default))
            {
                await writer.Stream.WriteAsync(bytes);
                await writer.CommitAsync(default);
            }
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            tasks.Add(new JobTask
            {
                Job = job.Name,
                Generation = job.Generation,
                Index = i,
                InputKey = uri.ToString(),
                InputSha256 = corruptFirst && i == 0 ? new string('0', 64) : sha,
                InputRecords = recordsPerBatch,
            });
        }
        await State.PutTasksAsync(tasks, default);
        return (await State.GetJobAsync(job.Name, default))!;
    }

    /// <summary>Stores one batch of <paramref name="bytes"/> in the job's input format and its Pending task item.</summary>
    public async Task<Job> SeedBatchAsync(Job job, byte[] bytes, long records)
    {
        State.Seed(job);
        var uri = Options.LayoutFor(job).Batch(0, job.Spec.Input.Format);
        await using (var writer = await Store.OpenWriteAsync(uri, default))
        {
            await writer.Stream.WriteAsync(bytes);
            await writer.CommitAsync(default);
        }
        await State.PutTasksAsync([new JobTask
        {
            Job = job.Name,
            Generation = job.Generation,
            Index = 0,
            InputKey = uri.ToString(),
            InputSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            InputRecords = records,
        }], default);
        return (await State.GetJobAsync(job.Name, default))!;
    }

    /// <summary>The result the task item records (its attempt's own object).</summary>
    public string ReadResult(Job job, int index) =>
        File.ReadAllText(new Uri(State.Stored(job.Name, index).ResultKey!).LocalPath);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
