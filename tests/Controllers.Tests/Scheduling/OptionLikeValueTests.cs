using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Model.Spec;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>
/// Every argv the daemon builds for a job whose values look like options (job name, partition, account, qos, gres,
/// comment): the worker command each Slurm task runs (array and pilot), and sbatch, squeue, scancel and scontrol as
/// the Slurm adapter runs them. A value never stands alone where a program could read it as an option: an element
/// that starts with '-' is one of the program's own options, and an option that takes a value carries it after '='.
/// </summary>
public sealed class OptionLikeValueTests : IDisposable
{
    private const string Name = "-h";

    private static readonly Dictionary<string, (string[] Flags, string[] Valued)> Known = new(StringComparer.Ordinal)
    {
        ["sbatch"] = (["--parsable"],
            ["--job-name", "--comment", "--array", "--output", "--error", "--cpus-per-task", "--partition", "--mem", "--time", "--gres",
             "--account", "--qos", "--export"]),
        ["squeue"] = (["--json", "--me"], ["--name"]),
        ["scancel"] = ([], []),
        ["scontrol"] = ([], []),
        ["worker"] = (["--pilot"], ["--job", "--index-offset", "--pilots"]),
    };

    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Theory]
    [InlineData(DispatchMode.Array)]
    [InlineData(DispatchMode.Pilot)]
    public async Task No_argv_built_for_a_job_with_option_like_values_has_an_unguarded_value_starting_with_a_dash(DispatchMode mode)
    {
        _fx.Options.Slurm.WorkerExecutable = "/opt/coordinator/coordinator";
        await _fx.StoredJobAsync(Name, 3, s =>
        {
            s.Dispatch.Mode = mode;
            s.Dispatch.Workers = 2;
            s.Slurm.Partition = "--wrap=touch";
            s.Slurm.Account = "-A";
            s.Slurm.Qos = "--qos";
            s.Slurm.Gres = "-h";
        });
        await _fx.PassAsync(Name, _fx.Dispatch);
        var (_, request) = Assert.Single(_fx.Scheduler.Submitted);

        var runner = new ProgramRunner();
        var slurm = new SlurmScheduler(runner, NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "test", retryDelay: TimeSpan.FromMilliseconds(1));
        var id = await slurm.SubmitAsync(request, default);
        await slurm.ListAsync(Name, default);
        await slurm.ListAsync(null, default);
        await slurm.UpdateThrottleAsync(id, 3, default);
        await slurm.HoldAsync(id, default);
        await slurm.ReleaseAsync(id, default);
        await slurm.CancelAsync(id, default);
        Assert.Equal(["sbatch", "squeue", "squeue", "scontrol", "scontrol", "scontrol", "scancel"], runner.Calls.Select(c => c.Program));

        var problems = new List<string>();
        Inspect("worker", request.Command.Skip(1).ToList(), problems);
        Inspect("sbatch", SbatchArguments.Build(request, comment: "-x"), problems);
        foreach (var (program, args) in runner.Calls)
        {
            Inspect(program, args, problems);
        }
        Assert.Empty(problems);
    }

    /// <summary>Every element that starts with '-' must be the program's own option, with its value after '='.</summary>
    private static void Inspect(string program, IReadOnlyList<string> argv, List<string> problems)
    {
        var (flags, valued) = Known[program];
        foreach (var element in argv)
        {
            if (!element.StartsWith('-'))
            {
                continue;
            }
            var equals = element.IndexOf('=', StringComparison.Ordinal);
            var option = equals < 0 ? element : element[..equals];
            var ok = equals < 0
                ? flags.Contains(option)
                : valued.Contains(option) || (program == "worker" && option.StartsWith("--Coordinator:", StringComparison.Ordinal));
            if (!ok)
            {
                problems.Add($"{program} [{string.Join(' ', argv)}]: \"{element}\" " + (valued.Contains(element)
                    ? "takes its value in the next element, where a value starting with '-' is read as an option"
                    : "is a value that starts with '-' outside an --option=value"));
            }
        }
    }

    /// <summary>Answers each Slurm program as a healthy cluster would, and records every call.</summary>
    private sealed class ProgramRunner : ICommandRunner
    {
        public List<(string Program, IReadOnlyList<string> Args)> Calls { get; } = [];

        public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken ct)
        {
            Calls.Add((program, arguments));
            return Task.FromResult(program switch
            {
                "sbatch" => new CommandResult(0, "4242\n", ""),
                "squeue" => new CommandResult(0, """{"errors": [], "jobs": []}""", ""),
                _ => new CommandResult(0, "", ""),
            });
        }
    }
}
