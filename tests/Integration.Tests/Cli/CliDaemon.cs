using System.Diagnostics;
using System.Text;
using Coordinator.Integration.Tests.Fixtures;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// A real `coordinator daemon` process on a <see cref="CliStack"/>'s tables and bucket, whose workers run on the
/// local Slurm with the same settings (the worker is the same executable), so watch and logs see a job that runs.
/// </summary>
internal sealed class CliDaemon : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private CliDaemon(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static CliDaemon Start(CliStack cli, string endpointUrl)
    {
        var start = new ProcessStartInfo(CoordinatorCli.ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("daemon");
        foreach (var setting in cli.Settings)
        {
            start.ArgumentList.Add(setting);
        }
        start.ArgumentList.Add($"--Coordinator:Slurm:WorkerExecutable={CoordinatorCli.ExecutablePath}");
        start.ArgumentList.Add("--Daemon:Telemetry:PrometheusEndpoint=");
        start.Environment["AWS_ENDPOINT_URL"] = endpointUrl;
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        return new CliDaemon(Process.Start(start)!);
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
