using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Reconciler.Cli;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>
/// The argv the daemon gives each Slurm task, parsed by the worker verb exactly as the task would: a job name that
/// looks like an option (a name the DNS label rule now refuses, but which an old item may still carry) is still the
/// value of --job, never an option of its own.
/// </summary>
public sealed class WorkerLaunchParseTests
{
    [Theory]
    [InlineData("-h")]
    [InlineData("--pilot")]
    [InlineData("-x-")]
    [InlineData("--help")]
    public void An_option_like_job_name_is_parsed_as_the_value_of_job_in_array_and_pilot_mode(string name)
    {
        var options = new CoordinatorOptions { Slurm = { WorkerExecutable = "/opt/coordinator/coordinator" } };
        foreach (var (argv, pilot) in new[] { (WorkerLaunch.Array(options, name, 3), false), (WorkerLaunch.Pilot(options, name, 2), true) })
        {
            var parse = CliApplication.Build().Parse(argv.Skip(1).ToArray());
            Assert.Empty(parse.Errors);
            Assert.Equal("worker", parse.CommandResult.Command.Name);
            Assert.Equal(name, parse.GetValue<string>("--job"));
            Assert.Equal(pilot, parse.GetValue<bool>("--pilot"));
        }
    }
}
