using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Testing.Metrics;
using Coordinator.Testing.State;

namespace Coordinator.Integration.Tests.State;

/// <summary>The state store's contract, run against moto and against DynamoDB Local over loopback.</summary>
public sealed class DynamoStateStoreTests
{
    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task PutJobSpec_creates_once_and_refuses_to_overwrite_without_replace(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);

        await store.PutJobSpecAsync(NewJob("alpha", "s3://in/a/"), replace: false, default);
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => store.PutJobSpecAsync(NewJob("alpha", "s3://in/b/"), false, default));

        Assert.Contains("alpha", conflict.Message);
        var read = await store.GetJobAsync("alpha", default);
        Assert.NotNull(read);
        Assert.Equal("s3://in/a/", read.Spec.Input.Uri);
        Assert.Equal(0, read.Version);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task PutJobSpec_with_replace_changes_the_spec_and_keeps_status_and_version(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(NewJob("beta", "s3://in/a/"), false, default);
        var job = (await store.GetJobAsync("beta", default))!;
        job.Status.Phase = JobPhase.Running;
        job.Status.Message = "running 3 batches";
        await store.UpdateJobStatusAsync(job, default);

        await store.PutJobSpecAsync(NewJob("beta", "s3://in/b/"), replace: true, default);

        var read = (await store.GetJobAsync("beta", default))!;
        Assert.Equal("s3://in/b/", read.Spec.Input.Uri);
        Assert.Equal(JobPhase.Running, read.Status.Phase);
        Assert.Equal("running 3 batches", read.Status.Message);
        Assert.Equal(1, read.Version);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task UpdateJobStatus_is_conditional_on_the_version_read_and_counts_conflicts(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics.Meter);
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(NewJob("gamma", "s3://in/"), false, default);

        var first = (await store.GetJobAsync("gamma", default))!;
        var stale = (await store.GetJobAsync("gamma", default))!;
        first.Generation = 1;
        first.SpecHash = "hash-1";
        first.Status.Phase = JobPhase.Partitioning;
        first.Status.ObservedGeneration = 1;
        Assert.Equal(1, await store.UpdateJobStatusAsync(first, default));
        stale.Status.Phase = JobPhase.Invalid;
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateJobStatusAsync(stale, default));

        first.Version = 1;
        first.Status.Phase = JobPhase.Dispatching;
        Assert.Equal(2, await store.UpdateJobStatusAsync(first, default));

        var read = (await store.GetJobAsync("gamma", default))!;
        Assert.Equal(JobPhase.Dispatching, read.Status.Phase);
        Assert.Equal(2, read.Version);
        Assert.Equal(1, read.Generation);
        Assert.Equal("hash-1", read.SpecHash);
        Assert.Equal(1, read.Status.ObservedGeneration);
        Assert.Equal("s3://in/", read.Spec.Input.Uri);
        Assert.Equal(1, recorder.Total("coordinator.state.conflicts"));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task A_users_put_item_drops_the_version_so_a_stale_status_write_conflicts(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(NewJob("delta", "s3://in/a/"), false, default);
        var job = (await store.GetJobAsync("delta", default))!;
        job.Status.Phase = JobPhase.Running;
        job.Version = await store.UpdateJobStatusAsync(job, default);

        // What `aws dynamodb put-item` does: the whole item is replaced, status and version are gone.
        await backend.Client.PutItemAsync(backend.Options.JobsTable, new Dictionary<string, AttributeValue>
        {
            ["name"] = new() { S = "delta" },
            ["spec"] = new() { M = new() { ["input"] = new() { M = new() { ["uri"] = new() { S = "s3://in/new/" } } } } },
        });

        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateJobStatusAsync(job, default));
        var fresh = (await store.GetJobAsync("delta", default))!;
        Assert.Equal(0, fresh.Version);
        Assert.Equal(JobPhase.Pending, fresh.Status.Phase);
        fresh.Status.Phase = JobPhase.Partitioning;
        Assert.Equal(1, await store.UpdateJobStatusAsync(fresh, default));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task A_job_whose_version_was_written_as_a_string_takes_its_Invalid_status_conditional_on_that_value(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(NewJob("vstr", "s3://in/a/"), false, default);
        await SetVersionAsync(backend, "vstr", new AttributeValue { S = "3" });

        var job = (await store.GetJobAsync("vstr", default))!;
        Assert.Contains(job.DecodeErrors, e => e.StartsWith("version: expected a number (N), got S \"3\"", StringComparison.Ordinal));
        var stale = (await store.GetJobAsync("vstr", default))!;
        job.Generation = 1;
        job.SpecHash = "hash-1";
        job.Status.Phase = JobPhase.Invalid;
        job.Status.Message = "version: expected a number (N), got S \"3\"";
        await store.UpdateJobStatusAsync(job, default);

        var item = (await backend.Client.GetItemAsync(backend.Options.JobsTable,
            new Dictionary<string, AttributeValue> { ["name"] = new() { S = "vstr" } })).Item;
        Assert.Equal("Invalid", item["status"].M["phase"].S);
        Assert.Equal("3", item["version"].S);

        // Still an optimistic lock: once the attribute changed, a write from the earlier read is refused.
        await SetVersionAsync(backend, "vstr", new AttributeValue { S = "4" });
        stale.Status.Phase = JobPhase.Invalid;
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateJobStatusAsync(stale, default));
    }

    private static async Task SetVersionAsync(DynamoBackend backend, string name, AttributeValue version) =>
        await backend.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = backend.Options.JobsTable,
            Key = new() { ["name"] = new() { S = name } },
            UpdateExpression = "SET #v = :v",
            ExpressionAttributeNames = new() { ["#v"] = "version" },
            ExpressionAttributeValues = new() { [":v"] = version },
        });

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task A_deposed_leaders_status_write_is_refused_even_at_the_version_it_read(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var user = new DynamoStateStore(backend.Client, backend.Options, metrics);
        var newLeader = new DynamoStateStore(backend.Client, backend.Options, metrics, leadership: new FixedLeadership(2));
        var staleLeader = new DynamoStateStore(backend.Client, backend.Options, metrics, leadership: new FixedLeadership(1));
        await user.PutJobSpecAsync(NewJob("zeta", "s3://in/"), false, default);

        var job = (await newLeader.GetJobAsync("zeta", default))!;
        job.Status.Phase = JobPhase.Running;
        job.Status.Message = "term 2";
        job.Version = await newLeader.UpdateJobStatusAsync(job, default);

        // The old leader, resumed after a pause, reads the item afresh (so its version matches) and writes as term 1.
        var stale = (await staleLeader.GetJobAsync("zeta", default))!;
        Assert.Equal(job.Version, stale.Version);
        stale.Status.Phase = JobPhase.Failed;
        stale.Status.Message = "term 1";
        await Assert.ThrowsAsync<ConflictException>(() => staleLeader.UpdateJobStatusAsync(stale, default));
        var read = (await user.GetJobAsync("zeta", default))!;
        Assert.Equal(("term 2", 1L, 2L), (read.Status.Message, read.Version, read.LeaderTerm ?? 0));

        // A user's (CLI) write carries no term and stamps none; the leader of the term goes on writing.
        read.Status.Message = "cli";
        read.Version = await user.UpdateJobStatusAsync(read, default);
        Assert.Equal(2, (await user.GetJobAsync("zeta", default))!.LeaderTerm);
        read.Status.Message = "term 2 again";
        Assert.Equal(3, await newLeader.UpdateJobStatusAsync(read, default));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task UpdateJobStatus_never_recreates_a_deleted_job(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(NewJob("epsilon", "s3://in/"), false, default);
        var job = (await store.GetJobAsync("epsilon", default))!;
        await store.DeleteJobAsync("epsilon", default);

        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateJobStatusAsync(job, default));
        Assert.Null(await store.GetJobAsync("epsilon", default));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task ListActiveJobNames_skips_finished_jobs_and_templates_across_pages(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        var phases = new[] { JobPhase.Pending, JobPhase.Invalid, JobPhase.Running, JobPhase.Succeeded, JobPhase.Failed, JobPhase.Cancelled };
        var expected = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var name = $"job-{i:D3}";
            await store.PutJobSpecAsync(NewJob(name, "s3://in/"), false, default);
            var phase = phases[i % phases.Length];
            if (i % 7 != 0)
            {
                var job = (await store.GetJobAsync(name, default))!;
                job.Status.Phase = phase;
                await store.UpdateJobStatusAsync(job, default);
            }
            if (i % 7 == 0 || phase is not (JobPhase.Succeeded or JobPhase.Failed or JobPhase.Cancelled))
            {
                expected.Add(name);
            }
        }
        await backend.Client.PutItemAsync(backend.Options.JobsTable, new Dictionary<string, AttributeValue>
        {
            ["name"] = new() { S = "template-base" },
            ["kind"] = new() { S = "JobTemplate" },
        });

        var names = new List<string>();
        await foreach (var name in store.ListActiveJobNamesAsync(default))
        {
            names.Add(name);
        }
        var all = new List<string>();
        await foreach (var job in store.ListJobsAsync(default))
        {
            all.Add(job.Name);
        }

        Assert.Equal(expected.Order(), names.Order());
        Assert.Equal(60, all.Count);
        Assert.Null(await store.GetJobAsync("template-base", default));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task ListExpiredJobNames_returns_exactly_the_jobs_whose_expiry_has_passed(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        var now = new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);
        var expected = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var name = $"ttl-{i:D3}";
            await store.PutJobSpecAsync(NewJob(name, "s3://in/"), false, default);
            if (i % 4 == 0)
            {
                continue; // never finished: no status at all
            }
            var job = (await store.GetJobAsync(name, default))!;
            job.Status.Phase = JobPhase.Succeeded;
            // i % 4 == 1: due a millisecond ago; 2: due exactly now; 3: due in a second, or no TTL at all.
            job.Status.ExpiresAt = (i % 4) switch
            {
                1 => now.AddMilliseconds(-1),
                2 => now,
                _ => i % 8 == 3 ? now.AddSeconds(1) : null,
            };
            await store.UpdateJobStatusAsync(job, default);
            if (i % 4 is 1 or 2)
            {
                expected.Add(name);
            }
        }
        await backend.Client.PutItemAsync(backend.Options.JobsTable, new Dictionary<string, AttributeValue>
        {
            ["name"] = new() { S = "template:base" },
            ["kind"] = new() { S = "JobTemplate" },
        });

        var names = new List<string>();
        await foreach (var name in store.ListExpiredJobNamesAsync(now, default))
        {
            names.Add(name);
        }

        Assert.Equal(expected.Order(), names.Order());
        Assert.Equal(now.AddMilliseconds(-1), (await store.GetJobAsync("ttl-001", default))!.Status.ExpiresAt);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task ListFinishedJobs_returns_the_finished_jobs_with_the_cancel_stamp_and_what_the_daemon_observed(string kind)
    {
        await using var backend = await StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        var phases = new[] { JobPhase.Running, JobPhase.Succeeded, JobPhase.Failed, JobPhase.Cancelled, JobPhase.Invalid };
        foreach (var (phase, i) in phases.Select((p, i) => (p, i)))
        {
            var name = $"fin-{i}";
            await store.PutJobSpecAsync(NewJob(name, "s3://in/"), false, default);
            var job = (await store.GetJobAsync(name, default))!;
            job.Status.Phase = phase;
            job.Status.ObservedReconcileRequest = phase == JobPhase.Cancelled ? "earlier" : "";
            await store.UpdateJobStatusAsync(job, default);
        }
        await store.RequestReconcileAsync("fin-3", new DateTimeOffset(2026, 12, 7, 5, 1, 0, TimeSpan.Zero), default);

        var finished = new List<Job>();
        await foreach (var job in store.ListFinishedJobsAsync(default))
        {
            finished.Add(job);
        }

        Assert.Equal(["fin-1", "fin-2", "fin-3"], finished.Select(j => j.Name).Order(StringComparer.Ordinal));
        var cancelled = finished.Single(j => j.Name == "fin-3");
        Assert.Equal(("2026-12-07T05:01:00.0000000+00:00", "earlier"), (cancelled.ReconcileRequestedAt, cancelled.Status.ObservedReconcileRequest));
        Assert.Equal("", finished.Single(j => j.Name == "fin-1").ReconcileRequestedAt);
    }

    internal static async Task<DynamoBackend> StartAsync(string kind)
    {
        var backend = await DynamoBackend.StartAsync(kind);
        Skip.If(backend.UnavailableReason is not null, backend.UnavailableReason);
        return backend;
    }

    internal static Job NewJob(string name, string inputUri) => new()
    {
        Name = name,
        Spec = new JobSpec { Input = new InputSpec { Uri = inputUri } },
    };
}
