using System.Runtime.InteropServices;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// Sends SIGTERM to a process. .NET's Process.Kill only sends SIGKILL, and a handler deserves the chance to clean
/// up before it is killed, as Slurm gives the worker.
/// </summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe blocks in this project; a blittable int call needs no marshalling.
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>True when the signal was delivered (false if the process had already gone).</summary>
    public static bool Terminate(int pid) => OperatingSystem.IsWindows() ? false : Kill(pid, SigTerm) == 0;
}
