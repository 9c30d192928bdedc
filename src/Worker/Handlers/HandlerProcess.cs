using System.ComponentModel;
using System.Diagnostics;
using Coordinator.Model.Spec;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// Starts a handler process from its argv, never through a shell, for every mode (<see cref="HandlerRunner"/> per
/// batch, <see cref="StreamHandlerSession"/> per slot): the command is resolved on the handler's PATH and checked to
/// be executable (through setsid a missing program would start, as setsid, and then fail as exit 127), the working
/// directory is checked to exist, and the handler starts as the leader of a session of its own through util-linux
/// <c>setsid --wait -- argv…</c> (<see cref="HandlerRunner.SessionLauncher"/>) with exactly the environment given
/// (nothing inherited). stdout and stderr are always redirected; stdin when asked.
/// </summary>
internal static class HandlerProcess
{
    /// <summary>The started process, or null with the reason (a <c>coordinator: cannot start handler …</c> line) in <paramref name="tail"/>.</summary>
    public static Process? TryStart(HandlerSpec handler, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        bool redirectStdin, TailBuffer tail)
    {
        var command = HandlerCommand.Resolve(handler.Command[0], environment.GetValueOrDefault("PATH"));
        if (command.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(command))
        {
            command = Path.GetFullPath(command);
        }
        if (!HandlerCommand.IsExecutable(command))
        {
            tail.AppendLine($"coordinator: cannot start handler \"{handler.Command[0]}\": {(File.Exists(command) ? "not executable" : "no such file")} (is it installed, and executable?)");
            return null;
        }
        if (!Directory.Exists(workingDirectory))
        {
            tail.AppendLine($"coordinator: cannot start handler \"{handler.Command[0]}\": handler.workingDirectory {workingDirectory} does not exist on this node");
            return null;
        }
        var launcher = HandlerRunner.SessionLauncher;
        var start = new ProcessStartInfo(launcher ?? command)
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (launcher is not null)
        {
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(command);
        }
        foreach (var argument in handler.Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
            return process;
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            tail.AppendLine($"coordinator: cannot start handler \"{handler.Command[0]}\": {e.Message} (is it installed, and executable?)");
            return null;
        }
    }
}
