using Coordinator.Controllers.Ports;

namespace Coordinator.Testing.Scheduling;

/// <summary>Submission requests for the pure Slurm builders (batch script, sbatch argv), logs under /tmp/logs.</summary>
public static class SubmitRequests
{
    public static SubmitRequest For(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> env, string jobName = "job-1",
        string token = "tok", string? partition = null, string? account = null, string? qos = null, string? memory = null,
        string? time = null, string? gres = null) => new()
    {
        JobName = jobName,
        Token = token,
        ArrayIndexes = "0-1",
        Command = command,
        Environment = env,
        Partition = partition,
        Account = account,
        Qos = qos,
        Memory = memory,
        TimeLimit = time,
        Gres = gres,
        LogDirectory = "/tmp/logs",
    };
}
