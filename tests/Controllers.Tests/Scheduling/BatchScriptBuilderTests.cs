using System.Text.Json;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Slurm;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Scheduling;

namespace Coordinator.Controllers.Tests.Scheduling;

public sealed class BatchScriptBuilderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coord-script-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Echo =
        "import sys, os, json; print(json.dumps({'argv': sys.argv[1:], 'env': {k: v for k, v in os.environ.items() if k.startswith('T_')}}))";

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("/bin/bash")]
    [InlineData("/bin/dash")]
    public async Task Script_PassesEveryHostileValueVerbatimAndExecutesNothing(string shell)
    {
        var canary = Path.Combine(_dir, "canary");
        var hostile = HostileValues.For(canary);
        var env = hostile.Select((v, i) => (Name: $"T_{i}", Value: v)).ToDictionary(e => e.Name, e => e.Value);
        var request = Request(["python3", "-c", Echo, .. hostile], env);

        var scriptPath = Path.Combine(_dir, "job.sh");
        await File.WriteAllTextAsync(scriptPath, BatchScriptBuilder.Build(request));
        var run = await ProcessRunner.RunAsync(shell, [scriptPath], workingDirectory: _dir);

        Assert.True(run.ExitCode == 0, run.StandardError);
        using var echoed = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(hostile, echoed.RootElement.GetProperty("argv").EnumerateArray().Select(e => e.GetString()));
        foreach (var (name, value) in env)
        {
            Assert.Equal(value, echoed.RootElement.GetProperty("env").GetProperty(name).GetString());
        }
        Assert.False(File.Exists(canary), "a value was executed by the shell");
    }

    [Fact]
    public void Script_FirstLineAfterHeaderIsACommandSoNoValueCanAddSbatchDirectives()
    {
        var script = BatchScriptBuilder.Build(Request(["worker", "x\n#SBATCH --partition=evil"], new Dictionary<string, string>()));
        var lines = script.Split('\n');
        var firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        var directives = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("#SBATCH", StringComparison.Ordinal));
        Assert.All(directives, d => Assert.True(d.i > firstCommand));
    }

    [Theory]
    [InlineData("BAD-NAME")]
    [InlineData("1X")]
    [InlineData("A=B")]
    [InlineData("$(x)")]
    public void Build_RejectsEnvironmentNamesThatAreNotIdentifiers(string name)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            BatchScriptBuilder.Build(Request(["w"], new Dictionary<string, string> { [name] = "v" })));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RejectsNulNamingTheArgument()
    {
        var error = Assert.Throws<ArgumentException>(() => BatchScriptBuilder.Build(Request(["w", "a\0b"], new Dictionary<string, string>())));
        Assert.Contains("command[1]", error.Message, StringComparison.Ordinal);
    }

    internal static SubmitRequest Request(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> env) => SubmitRequests.For(command, env);
}
