using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 16 hole 1: file:// input and output are confined to <c>Coordinator:FileRoots</c>, symlinks followed, at
/// validation and again at each read and write. One daemon on the real stack, FileRoots = a test directory: a job
/// reading /etc/passwd and one writing under /var/lib/coordinator are Invalid with the issue's exact message; a job
/// inside the root runs; a job whose input prefix holds a symlink that points outside (which validation, looking at
/// the prefix, cannot see) is refused when the file is read, and nothing behind the symlink reaches any output.
/// </summary>
public sealed class FileRootsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Files_outside_the_roots_are_refused_at_validation_and_at_read_time_and_a_job_inside_runs()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("roots");
        var roots = Path.Combine(stack.Work, "roots");
        var outside = Path.Combine(stack.Work, "outside");
        Directory.CreateDirectory(roots);
        Directory.CreateDirectory(outside);
        stack.Settings["COORDINATOR__FILEROOTS__0"] = roots;
        await stack.InitAsync();
        var daemon = stack.StartDaemon("daemon");

        var passwd = stack.JobName("passwd");
        await stack.PutJobAsync(ChaosJobs.Item(passwd, stack.Bucket, maxRecords: 10, spec => spec["input"]!["M"]!["uri"] = S("file:///etc/passwd")));
        var varlib = stack.JobName("varlib");
        await stack.PutObjectAsync($"in/{varlib}/part-0.jsonl", "{\"id\": 0}\n");
        await stack.PutJobAsync(ChaosJobs.Item(varlib, stack.Bucket, maxRecords: 10,
            spec => spec["output"]!["M"]!["uri"] = S($"file:///var/lib/coordinator/{varlib}/")));

        var inside = stack.JobName("inside");
        var records = ChaosJobs.Records(inside, 6, new Random(ChaosMode.Seed));
        Directory.CreateDirectory(Path.Combine(roots, "in", inside));
        await File.WriteAllTextAsync(Path.Combine(roots, "in", inside, "part-0.jsonl"), string.Concat(records.Select(r => r + "\n")));
        await stack.PutJobAsync(ChaosJobs.Item(inside, stack.Bucket, maxRecords: 100, spec =>
        {
            spec["input"]!["M"]!["uri"] = S($"file://{roots}/in/{inside}/");
            spec["output"]!["M"]!["uri"] = S($"file://{roots}/out/{inside}/");
        }));

        var linked = stack.JobName("linked");
        var secret = "outside-secret-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.jsonl"), $"{{\"secret\": \"{secret}\"}}\n");
        Directory.CreateDirectory(Path.Combine(roots, "in", linked));
        await File.WriteAllTextAsync(Path.Combine(roots, "in", linked, "part-0.jsonl"), "{\"id\": 0}\n");
        File.CreateSymbolicLink(Path.Combine(roots, "in", linked, "part-1.jsonl"), Path.Combine(outside, "secret.jsonl"));
        await stack.PutJobAsync(ChaosJobs.Item(linked, stack.Bucket, maxRecords: 100, spec =>
        {
            spec["input"]!["M"]!["uri"] = S($"file://{roots}/in/{linked}/");
            spec["output"]!["M"]!["uri"] = S($"file://{roots}/out/{linked}/");
        }));

        var finals = await stack.WaitForAllAsync([passwd, varlib, inside, linked], TimeSpan.FromMinutes(3), ["Succeeded", "Failed", "Invalid"],
            async () =>
            {
                Assert.True(daemon.ExitCode is null, $"the daemon exited ({daemon.ExitCode}): {daemon.Tail()}");
                await Task.Delay(500);
            });

        Assert.True(ChaosStack.Phase(finals[passwd]) == "Invalid", ChaosStack.Describe(finals[passwd]));
        Assert.Contains($"spec.input.uri: file:///etc/passwd is outside the allowed file roots (Coordinator:FileRoots = {roots})",
            ChaosStack.Text(finals[passwd], "message"), StringComparison.Ordinal);
        Assert.True(ChaosStack.Phase(finals[varlib]) == "Invalid", ChaosStack.Describe(finals[varlib]));
        Assert.Contains($"spec.output.uri: file:///var/lib/coordinator/{varlib}/ is outside the allowed file roots (Coordinator:FileRoots = {roots})",
            ChaosStack.Text(finals[varlib], "message"), StringComparison.Ordinal);

        Assert.True(ChaosStack.Phase(finals[inside]) == "Succeeded", ChaosStack.Describe(finals[inside]));
        var written = Directory.GetFiles(Path.Combine(roots, "out", inside));
        Assert.Equal(records.Select(r => r + "\n"), File.ReadAllLines(Assert.Single(written, f => f.EndsWith(".jsonl", StringComparison.Ordinal))).Select(l => l + "\n"));

        Assert.True(ChaosStack.Phase(finals[linked]) == "Failed", ChaosStack.Describe(finals[linked]));
        var message = ChaosStack.Text(finals[linked], "message");
        Assert.Contains($"{Path.Combine(outside, "secret.jsonl")}, which is outside the allowed file roots (Coordinator:FileRoots = {roots})", message, StringComparison.Ordinal);
        var outputs = Directory.Exists(Path.Combine(roots, "out")) ? Directory.GetFiles(Path.Combine(roots, "out"), "*", SearchOption.AllDirectories) : [];
        Assert.DoesNotContain(outputs, f => File.ReadAllText(f).Contains(secret, StringComparison.Ordinal));
        var objects = await stack.S3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = stack.Bucket });
        foreach (var o in objects.S3Objects ?? [])
        {
            Assert.DoesNotContain(secret, await stack.ReadAsync($"s3://{stack.Bucket}/{o.Key}"), StringComparison.Ordinal);
        }
        Figures.Record(output, nameof(FileRootsTests), $"jobs=4 outputFiles={outputs.Length} objects={objects.S3Objects?.Count ?? 0}");
    }
}
