using System.Text.RegularExpressions;
using Coordinator.Testing;

namespace Coordinator.Integration.Tests.Deploy;

/// <summary>
/// deploy/iam: the daemon, worker and admin (coordinator init) policies together allow every AWS call the code makes
/// and nothing it does not; the worker's policy allows exactly what a worker does (derived from the worker's calls
/// on the state and object store ports) and none of the daemon's work.
/// </summary>
public sealed partial class IamPolicyTests
{
    private const string Jobs = "arn:aws:dynamodb:us-east-1:123456789012:table/coordinator-jobs";
    private const string Tasks = "arn:aws:dynamodb:us-east-1:123456789012:table/coordinator-tasks";
    private const string Leases = "arn:aws:dynamodb:us-east-1:123456789012:table/coordinator-leases";
    private const string JobsStream = Jobs + "/stream/2026-11-29T00:00:00.000";
    private const string Batch = "arn:aws:s3:::coordinator/jobs/wc/1/batches/000003.jsonl";
    private const string Result = "arn:aws:s3:::coordinator/jobs/wc/1/results/000003.jsonl";
    private const string Manifest = "arn:aws:s3:::coordinator/jobs/wc/1/manifest.json";

    private static IamPolicy Policy(string file) => IamPolicy.Load(RepoFiles.Path("deploy", "iam", file));

    /// <summary>Port methods the worker calls → (IAM action, resource it touches).</summary>
    private static readonly Dictionary<string, (string Action, string Resource)[]> WorkerPortCalls = new(StringComparer.Ordinal)
    {
        ["GetJobAsync"] = [("dynamodb:GetItem", Jobs)],
        ["GetTaskAsync"] = [("dynamodb:GetItem", Tasks)],
        ["QueryTasksAsync"] = [("dynamodb:Query", Tasks)],
        ["UpdateTaskAsync"] = [("dynamodb:PutItem", Tasks)],
        ["TryUpdateTasksAsync"] = [("dynamodb:PutItem", Tasks)], // UpdateTaskAsync on several tasks at once
        ["OpenReadAsync"] = [("s3:GetObject", Batch)],
        ["OpenWriteAsync"] = [("s3:PutObject", Result), ("s3:AbortMultipartUpload", Result)],
    };

    [Fact]
    public void PoliciesTogetherAllowEveryAwsCallInTheCodeAndNoOtherAction()
    {
        var calls = SdkCalls.Find();
        Assert.True(calls.Count >= 20, $"the source scan found only {calls.Count} SDK calls: {string.Join(", ", calls.Keys)}");
        var unmapped = calls.Where(c => !SdkCalls.IamActionOf.ContainsKey(c.Key)).Select(c => $"{c.Key} ({c.Value})").ToList();
        Assert.True(unmapped.Count == 0, $"SDK calls with no IAM action in SdkCalls.IamActionOf: {string.Join(", ", unmapped)}");

        var needed = calls.Keys.Select(k => SdkCalls.IamActionOf[k]).ToHashSet(StringComparer.Ordinal);
        var policies = new[] { Policy("daemon-policy.json"), Policy("worker-policy.json"), Policy("admin-policy.json") };
        var granted = policies.SelectMany(p => p.Actions).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(needed.Except(granted));
        Assert.Empty(granted.Except(needed));
        Assert.DoesNotContain(granted, a => a.Contains('*', StringComparison.Ordinal));
    }

    [Fact]
    public void AdminPolicyAllowsWhatInitDoesAndNothingThatDestroys()
    {
        var admin = Policy("admin-policy.json");
        string[] destructive = ["dynamodb:DeleteTable", "s3:DeleteBucket", "s3:DeleteObject"];
        Assert.Empty(admin.Actions.Intersect(destructive, StringComparer.Ordinal));
        var init = SdkCalls.Find().Where(c => c.Value.EndsWith("StackProvisioner.cs", StringComparison.Ordinal))
            .Select(c => SdkCalls.IamActionOf[c.Key]).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(init.Intersect(destructive, StringComparer.Ordinal));
    }

    [Fact]
    public void WorkerPolicyAllowsEveryCallTheWorkerMakes()
    {
        var worker = Policy("worker-policy.json");
        var calls = WorkerCalls();
        Assert.Contains("UpdateTaskAsync", calls);
        Assert.Contains("OpenReadAsync", calls);
        Assert.Contains("QueryTasksAsync", calls);
        var unmapped = calls.Where(c => !WorkerPortCalls.ContainsKey(c)).ToList();
        Assert.True(unmapped.Count == 0, $"the worker calls port methods this test cannot map to IAM actions: {string.Join(", ", unmapped)}");
        foreach (var call in calls)
        {
            foreach (var (action, resource) in WorkerPortCalls[call])
            {
                Assert.True(worker.Allows(action, resource), $"worker-policy.json denies {action} on {resource}, needed by {call}");
            }
        }
    }

    [Theory]
    [InlineData("dynamodb:GetItem", Leases)]
    [InlineData("dynamodb:PutItem", Jobs)]
    [InlineData("dynamodb:UpdateItem", Jobs)]
    [InlineData("dynamodb:Scan", Tasks)]
    [InlineData("dynamodb:DeleteItem", Tasks)]
    [InlineData("dynamodb:BatchWriteItem", Tasks)]
    [InlineData("dynamodb:GetRecords", JobsStream)]
    [InlineData("dynamodb:CreateTable", Tasks)]
    [InlineData("s3:PutObject", Batch)]
    [InlineData("s3:PutObject", Manifest)]
    [InlineData("s3:GetObject", Result)]
    [InlineData("s3:DeleteObject", Result)]
    [InlineData("s3:ListBucket", "arn:aws:s3:::coordinator")]
    public void WorkerPolicyDeniesTheDaemonsWork(string action, string resource) =>
        Assert.False(Policy("worker-policy.json").Allows(action, resource), $"a worker must not {action} on {resource}");

    [Theory]
    [InlineData("dynamodb:GetRecords", JobsStream, true)]
    [InlineData("dynamodb:PutItem", Leases, true)]
    [InlineData("dynamodb:BatchWriteItem", Tasks, true)]
    [InlineData("s3:PutObject", Manifest, true)]
    [InlineData("dynamodb:CreateTable", Jobs, false)]
    [InlineData("dynamodb:DeleteTable", Tasks, false)]
    [InlineData("s3:DeleteBucket", "arn:aws:s3:::coordinator", false)]
    [InlineData("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/someone-elses-table", false)]
    public void DaemonPolicyRunsJobsButCannotCreateOrDropTheStack(string action, string resource, bool allowed) =>
        Assert.Equal(allowed, Policy("daemon-policy.json").Allows(action, resource));

    /// <summary>
    /// State and object-store port methods called by the worker code (TaskWorker, PilotWorker, worker verb, and the
    /// task reader the pilot pages through).
    /// </summary>
    private static SortedSet<string> WorkerCalls()
    {
        var files = Directory.EnumerateFiles(RepoFiles.Path("src", "Worker"), "*.cs", SearchOption.AllDirectories)
            .Append(RepoFiles.Path("src", "Controllers", "Tasks", "TaskReader.cs"))
            .Append(RepoFiles.Path("src", "Reconciler", "Cli", "WorkerCommand.cs"));
        var calls = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (Match call in PortCall().Matches(File.ReadAllText(file)))
            {
                calls.Add(call.Groups[1].Value);
            }
        }
        return calls;
    }

    [GeneratedRegex(@"\b_?(?:state|store|objects|stateStore|objectStore)\.([A-Z][A-Za-z]+Async)\(")]
    private static partial Regex PortCall();
}
