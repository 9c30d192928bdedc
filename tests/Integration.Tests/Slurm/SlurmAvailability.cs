using System.Diagnostics;
using Coordinator.Testing.Stack;

namespace Coordinator.Integration.Tests.Slurm;

/// <summary>
/// Finds the local single-node Slurm: SLURM_CONF from the environment, else from localstack/.state/env (written by
/// localstack/up) in an enclosing directory. Tests skip, with the reason, when `sinfo` cannot reach a controller.
/// </summary>
internal static class SlurmAvailability
{
    private static readonly Lazy<string?> Problem = new(Probe);

    /// <summary>Null when Slurm answers; otherwise why not.</summary>
    public static string? Unavailable => Problem.Value;

    private static string? Probe()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SLURM_CONF")) && StackEnvironment.Load()["SLURM_CONF"] is { } conf)
        {
            Environment.SetEnvironmentVariable("SLURM_CONF", conf);
        }
        try
        {
            var start = new ProcessStartInfo("sinfo", "-h -o %T") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var sinfo = Process.Start(start)!;
            var stderr = sinfo.StandardError.ReadToEnd();
            sinfo.StandardOutput.ReadToEnd();
            sinfo.WaitForExit();
            return sinfo.ExitCode == 0 ? null : $"sinfo failed (SLURM_CONF={Environment.GetEnvironmentVariable("SLURM_CONF")}): {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"sinfo is not installed: {e.Message}";
        }
    }
}
