using System.Runtime.InteropServices;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// The few libc calls the handler runner needs that .NET does not offer: SIGTERM (Process.Kill only sends SIGKILL,
/// and a handler deserves the chance to clean up before it is killed, as Slurm gives the worker), SIGKILL of one pid,
/// becoming a child subreaper, and reaping an orphan that was reparented to this process.
/// </summary>
internal static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe blocks in this project; blittable int calls need no marshalling.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [DllImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static extern int WaitPid(int pid, out int status, int options);
#pragma warning restore SYSLIB1054

    /// <summary>True when the signal was delivered (false if the process had already gone).</summary>
    public static bool Terminate(int pid) => Send(pid, SigTerm);

    /// <summary>True when <paramref name="signal"/> was delivered to <paramref name="pid"/>.</summary>
    public static bool Send(int pid, int signal) => !OperatingSystem.IsWindows() && pid > 0 && Kill(pid, signal) == 0;

    /// <summary>
    /// Makes this process the child subreaper of its descendants (Linux 3.4+): a handler's child whose parent exits is
    /// reparented to the worker instead of to init, so it stays in the worker's process tree, where
    /// <see cref="HandlerLeftovers"/> finds it and Slurm's process tracking still sees it. False where unsupported.
    /// </summary>
    public static bool BecomeSubreaper() => OperatingSystem.IsLinux() && Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>Reaps <paramref name="pid"/> if it is an exited child of this process (an orphan reparented here).</summary>
    public static void Reap(int pid)
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = WaitPid(pid, out _, WNoHang);
        }
    }
}
