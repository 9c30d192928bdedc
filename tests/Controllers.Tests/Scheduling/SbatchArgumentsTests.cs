using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Slurm;

namespace Coordinator.Controllers.Tests.Scheduling;

public sealed class SbatchArgumentsTests
{
    private static SubmitRequest Full() => new()
    {
        JobName = "wc-1",
        Token = "t0k",
        ArrayIndexes = "0-9,12",
        MaxConcurrent = 5,
        Command = ["coordinator", "worker"],
        Partition = "debug",
        CpusPerTask = 2,
        Memory = "2G",
        TimeLimit = "01:00:00",
        Gres = "gpu:1",
        Account = "acct",
        Qos = "normal",
        LogDirectory = "/var/log/c/",
    };

    [Fact]
    public void Build_MapsEveryResourceToItsOwnOption()
    {
        var args = SbatchArguments.Build(Full());
        Assert.Equal(
        [
            "--parsable", "--export=NONE", "--job-name=wc-1", "--comment=t0k", "--array=0-9,12%5",
            "--output=/var/log/c/wc-1-%A_%a.out", "--error=/var/log/c/wc-1-%A_%a.err", "--cpus-per-task=2",
            "--partition=debug", "--mem=2G", "--time=01:00:00", "--gres=gpu:1", "--account=acct", "--qos=normal",
        ], args);
    }

    [Fact]
    public void Build_OmitsUnsetOptionalResources()
    {
        var args = SbatchArguments.Build(new SubmitRequest
        {
            JobName = "j", Token = "t", ArrayIndexes = "0", Command = ["w"], LogDirectory = "/l",
        });
        Assert.DoesNotContain(args, a => a.StartsWith("--partition", StringComparison.Ordinal) || a.StartsWith("--mem", StringComparison.Ordinal));
        Assert.Contains("--array=0", args);
    }

    [Fact]
    public void LogPath_DoublesPercentSoSlurmKeepsItLiteral() =>
        Assert.Equal("/logs/100%%/wc-1-%A_%a.out", SbatchArguments.LogPath(new SubmitRequest
        {
            JobName = "wc-1", Token = "t", ArrayIndexes = "0", Command = ["w"], LogDirectory = "/logs/100%",
        }, "out"));

    [Fact]
    public void LogPath_expanded_by_Slurm_is_the_file_the_daemon_reads_when_a_worker_never_started() =>
        Assert.Equal(
            SbatchArguments.LogPath(new SubmitRequest { JobName = "wc-1", Token = "t", ArrayIndexes = "0", Command = ["w"], LogDirectory = "/logs/slurm/" }, "err")
                .Replace("%A", "866", StringComparison.Ordinal).Replace("%a", "3", StringComparison.Ordinal),
            Coordinator.Controllers.Dispatch.WorkerLogs.Path("/logs/slurm/", "wc-1", "866", 3, "err"));

    [Fact]
    public void Build_RejectsLineBreaksInOptionValuesNamingTheField()
    {
        var request = new SubmitRequest
        {
            JobName = "j", Token = "t", ArrayIndexes = "0", Command = ["w"], LogDirectory = "/l", Partition = "debug\n--wrap=evil",
        };
        var error = Assert.Throws<ArgumentException>(() => SbatchArguments.Build(request));
        Assert.Contains("--partition", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_KeepsShellMetacharactersAsPlainOptionText()
    {
        var request = new SubmitRequest
        {
            JobName = "j", Token = "t", ArrayIndexes = "0", Command = ["w"], LogDirectory = "/l", Account = "$(touch x); `y`",
        };
        Assert.Contains("--account=$(touch x); `y`", SbatchArguments.Build(request));
    }

    [Fact]
    public void Build_ExportsNothingOfTheDaemonsEnvironment() =>
        Assert.Contains("--export=NONE", SbatchArguments.Build(Full()));
}
