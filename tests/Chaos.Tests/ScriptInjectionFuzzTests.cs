using System.Text.Json;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Validation;
using Coordinator.Scheduling.Slurm;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Scheduling;
using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// The full fuzz set through the pure builders: the batch script (run under sh, bash and dash), the sbatch argv and
/// the job-name rule. Nothing may execute (the marker file must not exist), every value must arrive byte for byte,
/// and a value the target cannot carry (a line break in a Slurm option, NUL) must be refused naming its field.
/// </summary>
public sealed class ScriptInjectionFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const string Echo =
        "import sys, os, json; print(json.dumps({'argv': sys.argv[1:], 'env': {k: v for k, v in os.environ.items() if k.startswith('F_')}}))";

    private readonly string _dir = Directory.CreateTempSubdirectory("coord-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Marker => Path.Combine(_dir, "injected");

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("/bin/bash")]
    [InlineData("/bin/dash")]
    public async Task Every_fuzzed_value_in_argv_and_environment_reaches_the_program_verbatim_and_nothing_executes(string shell)
    {
        var values = HostileFuzz.All(Marker);
        var env = values.Select((v, i) => (Name: $"F_{i}", Value: v)).ToDictionary(e => e.Name, e => e.Value);
        var request = Request(["python3", "-c", Echo, .. values], env);
        var script = Path.Combine(_dir, "job.sh");
        await File.WriteAllTextAsync(script, BatchScriptBuilder.Build(request));

        var run = await ProcessRunner.RunAsync(shell, [script], workingDirectory: _dir);

        Assert.True(run.ExitCode == 0, run.StandardError);
        using var echoed = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(values, echoed.RootElement.GetProperty("argv").EnumerateArray().Select(e => e.GetString()));
        var seen = echoed.RootElement.GetProperty("env");
        Assert.All(env, e => Assert.Equal(e.Value, seen.GetProperty(e.Key).GetString()));
        Assert.False(File.Exists(Marker), "a fuzzed value was executed by " + shell);
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f != script);
        output.WriteLine($"{values.Count} values as argv and as environment under {shell}: verbatim, nothing executed");
    }

    [Fact]
    public void Every_fuzzed_Slurm_option_value_is_one_argv_entry_or_is_refused_naming_the_option()
    {
        var values = HostileFuzz.All(Marker);
        var fields = new (string Option, Func<string, SubmitRequest> With)[]
        {
            ("--partition", v => Request(["w"], [], partition: v)),
            ("--account", v => Request(["w"], [], account: v)),
            ("--qos", v => Request(["w"], [], qos: v)),
            ("--mem", v => Request(["w"], [], memory: v)),
            ("--time", v => Request(["w"], [], time: v)),
            ("--gres", v => Request(["w"], [], gres: v)),
        };
        var refused = 0;
        foreach (var value in values.Where(v => !string.IsNullOrWhiteSpace(v)))
        {
            foreach (var (option, with) in fields)
            {
                if (value.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
                {
                    var error = Assert.Throws<ArgumentException>(() => SbatchArguments.Build(with(value)));
                    Assert.Contains(option, error.Message, StringComparison.Ordinal);
                    refused++;
                    continue;
                }
                var argv = SbatchArguments.Build(with(value));
                Assert.Contains($"{option}={value}", argv);
                Assert.Single(argv, a => a.StartsWith(option + "=", StringComparison.Ordinal));
            }
        }
        Assert.True(refused > 0, "the fuzz set has values with line breaks; none was refused");
        output.WriteLine($"{values.Count} values x {fields.Length} options: {refused} refused for line breaks, the rest passed as single argv entries");
    }

    [Fact]
    public void Every_fuzzed_job_name_is_refused_so_no_name_can_leave_the_jobs_prefix()
    {
        foreach (var value in HostileFuzz.All(Marker))
        {
            Assert.NotNull(NameRules.Check(value));
        }
    }

    private static SubmitRequest Request(string[] command, Dictionary<string, string> env, string? partition = null, string? account = null,
        string? qos = null, string? memory = null, string? time = null, string? gres = null) =>
        SubmitRequests.For(command, env, "fuzz", "token@0", partition, account, qos, memory, time, gres);
}
