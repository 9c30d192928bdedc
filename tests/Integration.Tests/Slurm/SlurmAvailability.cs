using System.Diagnostics;

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
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SLURM_CONF")) && FindConf() is { } conf)
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

    private static string? FindConf()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var env = Path.Combine(dir.FullName, "localstack", ".state", "env");
            if (File.Exists(env))
            {
                var line = File.ReadLines(env).FirstOrDefault(l => l.Contains("SLURM_CONF=", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim().Trim('"');
                }
            }
        }
        return null;
    }
}
