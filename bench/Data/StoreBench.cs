using System.Diagnostics;
using Coordinator.Aws;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.Provisioning;
using Coordinator.Aws.S3;
using Coordinator.Controllers;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Spec;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Bench.Data;

/// <summary>
/// Time to store 1,000 batches and their task items on the local stack (AWS_ENDPOINT_URL, moto by default): partition a
/// file into 1,000 batches written to S3 with the manifest, then run the StoreController (BatchWriteItem through
/// DynamoStateStore). Uses its own uniquely named tables and bucket and deletes them afterwards.
/// </summary>
internal static class StoreBench
{
    public static async Task<IEnumerable<string>> RunAsync(string dir)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var options = new CoordinatorOptions
        {
            JobsTable = $"bench-jobs-{suffix}",
            TasksTable = $"bench-tasks-{suffix}",
            LeasesTable = $"bench-leases-{suffix}",
            Bucket = $"bench-{suffix}",
        };
        var aws = new AwsClientFactory(options);
        using var dynamo = aws.CreateDynamoDb();
        using var s3 = aws.CreateS3();
        var provisioner = new StackProvisioner(dynamo, s3);
        await provisioner.EnsureAsync(options, CancellationToken.None);
        try
        {
            var input = Path.Combine(dir, "store-in.jsonl");
            await File.WriteAllLinesAsync(input, Enumerable.Range(0, 10_000).Select(i => $"{{\"i\":{i}}}"));
            var job = new Job
            {
                Name = "bench-store",
                Generation = 1,
                SpecHash = "bench",
                Spec = new JobSpec
                {
                    Input = new InputSpec { Uri = new Uri(input).ToString() },
                    Batching = new BatchingSpec { MaxRecords = 10 },
                },
            };
            var store = ObjectStoreRouter.Create(aws);
            var context = new JobContext(job, DateTimeOffset.UtcNow, (_, _) => Task.FromResult(0L));
            using var metrics = new CoordinatorMetrics();
            var state = new DynamoStateStore(dynamo, options, metrics);

            var watch = Stopwatch.StartNew();
            await new PartitionController(store, options, NullLogger<PartitionController>.Instance, CoordinatorMetrics.NoOp()).ReconcileAsync(context, CancellationToken.None);
            var partitionSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            await new StoreController(store, state, options, NullLogger<StoreController>.Instance).ReconcileAsync(context, CancellationToken.None);
            var storeSeconds = watch.Elapsed.TotalSeconds;
            if (job.Status.Batches.Total != 1000 || !StatusEditor.IsTrue(job.Status, "Stored", 1))
                throw new InvalidOperationException($"store bench did not store 1000 batches: {job.Status.Message}");
            var stored = 0;
            string? token = null;
            do
            {
                var page = await state.QueryTasksAsync(job.Name, token, 500, CancellationToken.None);
                stored += page.Tasks.Count;
                token = page.NextToken;
            } while (token is not null);
            if (stored != 1000)
                throw new InvalidOperationException($"expected 1000 task items, found {stored}");
            return
            [
                $"| 1,000 batches written to S3 (moto) + manifest, partition controller | {partitionSeconds:F2} s | {1000 / partitionSeconds:F0} batches/s |",
                $"| 1,000 task items via BatchWriteItem (DynamoStateStore), store controller | {storeSeconds:F2} s | {1000 / storeSeconds:F0} items/s; {stored} items read back |",
            ];
        }
        finally
        {
            await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(dynamo, s3, options, CancellationToken.None);
        }
    }
}
