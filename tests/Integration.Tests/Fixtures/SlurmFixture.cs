using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// The local single-node Slurm that <c>localstack/up</c> started. Exposes <see cref="SlurmConf"/> (also put in the
/// process environment, so sbatch/squeue and the product's Slurm adapter find the cluster) and
/// <see cref="Require"/>, which fails a test with the reason when Slurm is not answering. It does not fail the whole
/// collection at start, so AWS-only tests still run on a machine without Slurm.
/// </summary>
public sealed class SlurmFixture : IAsyncLifetime
{
    /// <summary>The slurm.conf in use, or null when none is configured.</summary>
    public string? SlurmConf { get; private set; }

    /// <summary>Why Slurm cannot be used; null when `sinfo` answers with the partition up.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>Default partition name of the local cluster.</summary>
    public string Partition { get; private set; } = "debug";

    public async Task InitializeAsync()
    {
        var environment = StackEnvironment.Load();
        environment.Apply();
        SlurmConf = environment["SLURM_CONF"];
        if (SlurmConf is null || !File.Exists(SlurmConf))
        {
            UnavailableReason = $"SLURM_CONF is {(SlurmConf is null ? "unset" : $"{SlurmConf}, which does not exist")}; run localstack/up";
            return;
        }
        try
        {
            var sinfo = await ProcessRunner.RunAsync("sinfo", ["-h", "-o", "%P %a %T"], timeout: TimeSpan.FromSeconds(20));
            var line = sinfo.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (sinfo.ExitCode != 0 || parts.Length < 3 || parts[1] != "up")
            {
                UnavailableReason = $"sinfo does not show an up partition (exit {sinfo.ExitCode}): {sinfo.StandardOutput}{sinfo.StandardError}";
                return;
            }
            Partition = parts[0].TrimEnd('*');
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            UnavailableReason = $"sinfo could not run: {e.Message}";
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Throws with the reason when Slurm is unavailable: tests that claim Slurm fail rather than pass without it.</summary>
    public void Require()
    {
        if (UnavailableReason is not null)
        {
            throw new InvalidOperationException("Slurm is required by this test but unavailable: " + UnavailableReason);
        }
    }
}
