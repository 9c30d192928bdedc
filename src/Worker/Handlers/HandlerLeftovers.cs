using System.Globalization;
using System.Text;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// The processes one handler run has (or left) running: the worker's descendants that are in the handler's session
/// (the runner starts every handler as the leader of a new session, see <see cref="HandlerRunner"/>) or that carry the
/// run's identity in the environment they were started with (COORDINATOR_JOB, COORDINATOR_BATCH, COORDINATOR_ATTEMPT,
/// and SLURM_JOB_ID when set: a child that calls setsid leaves the session but keeps its environment). Only the
/// worker's own descendants are ever considered, and the worker is a child subreaper, so an orphaned child stays one
/// of them; a concurrent run of the same worker (pilot mode) has another session and another identity. Every
/// descendant of a process of the run is the run's too. Only a descendant that leaves the session, clears its
/// environment and outlives its parent is not found: the bounded wait on the pipes still frees the worker, and Slurm's
/// own process tracking ends it with the step. Linux /proc only.
/// </summary>
internal sealed class HandlerLeftovers
{
    private static readonly string[] IdentityVariables = ["COORDINATOR_JOB", "COORDINATOR_BATCH", "COORDINATOR_ATTEMPT", "SLURM_JOB_ID"];
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private const int UncertainLooks = 20;

    private readonly int _session;
    private readonly string[] _identity;

    private HandlerLeftovers(int session, string[] identity)
    {
        _session = session;
        _identity = identity;
    }

    /// <summary>The leftovers of the handler started as <paramref name="handlerPid"/> with <paramref name="environment"/>.</summary>
    public static HandlerLeftovers For(int handlerPid, IReadOnlyDictionary<string, string> environment)
    {
        // Without the run's own variables an environment match could take another run's processes: session only.
        var identity = environment.ContainsKey("COORDINATOR_JOB")
            ? IdentityVariables.Where(environment.ContainsKey).Select(v => $"{v}={environment[v]}").ToArray()
            : [];
        return new HandlerLeftovers(handlerPid, identity);
    }

    /// <summary>
    /// Sends SIGTERM to every process of the run (and to <paramref name="alsoStop"/>), SIGKILL after
    /// <paramref name="grace"/> to whatever is still there, reaps the orphans among them, and returns what it found
    /// first ("1234 python3"), empty when nothing was left.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAsync(TimeSpan grace, int? alsoStop = null)
    {
        var found = Find(alsoStop, out var uncertain);
        // A process in the middle of an exec shows an empty environment for a moment: look again before concluding
        // that nothing was left, or a setsid child caught mid-exec escapes (seen under load in the test suite).
        for (var look = 0; found.Count == 0 && uncertain && look < UncertainLooks; look++)
        {
            await Task.Delay(Poll).ConfigureAwait(false);
            found = Find(alsoStop, out uncertain);
        }
        if (found.Count == 0)
        {
            return [];
        }
        var signalled = new Dictionary<int, int>();
        var signal = Signals.SigTerm;
        var deadline = DateTime.UtcNow + grace;
        for (var remaining = found; remaining.Count > 0; remaining = Find(alsoStop, out _))
        {
            foreach (var process in remaining.Where(p => signalled.GetValueOrDefault(p.Pid) != signal))
            {
                signalled[process.Pid] = signal;
                Signals.Send(process.Pid, signal);
            }
            if (DateTime.UtcNow >= deadline)
            {
                if (signal == Signals.SigKill)
                {
                    break;
                }
                signal = Signals.SigKill;
                deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
                continue;
            }
            await Task.Delay(Poll).ConfigureAwait(false);
        }
        foreach (var pid in signalled.Keys.Where(pid => pid != alsoStop))
        {
            Signals.Reap(pid);
        }
        return [.. found.Where(p => p.Pid != alsoStop).Select(p => $"{p.Pid} {p.Name}")];
    }

    /// <summary>
    /// The live processes of this run (not zombies), and <paramref name="alsoStop"/> while it is alive;
    /// <paramref name="uncertain"/> when a live descendant's environment could not be read (mid-exec, or gone).
    /// </summary>
    private List<ProcessEntry> Find(int? alsoStop, out bool uncertain)
    {
        uncertain = false;
        var all = new Dictionary<int, ProcessEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } entry)
            {
                all[pid] = entry;
            }
        }
        var children = all.Values.ToLookup(p => p.Parent);
        var found = new List<ProcessEntry>();
        var pending = new Stack<(int Pid, bool OfRun)>([(Environment.ProcessId, false)]);
        while (pending.Count > 0)
        {
            var (parent, parentOfRun) = pending.Pop();
            foreach (var child in children[parent])
            {
                // A descendant of one of the run's processes is the run's too, whatever session or environment it
                // has: that finds a child that calls setsid and clears its environment while its parent still lives.
                var ofRun = parentOfRun || child.Session == _session || child.Pid == alsoStop;
                if (!ofRun && !child.Zombie)
                {
                    switch (CarriesIdentity(child.Pid))
                    {
                        case true:
                            ofRun = true;
                            break;
                        case null:
                            uncertain = true;
                            break;
                    }
                }
                pending.Push((child.Pid, ofRun));
                if (!ofRun)
                {
                    continue;
                }
                if (!child.Zombie)
                {
                    found.Add(child);
                }
                else if (child.Parent == Environment.ProcessId && child.Pid != _session && child.Pid != alsoStop)
                {
                    // An orphan of the run, reparented to the worker (its subreaper), that exited on its own: reap it
                    // so it does not stay a zombie. The handler itself (the session's leader) is .NET's to reap.
                    Signals.Reap(child.Pid);
                }
            }
        }
        return found;
    }

    /// <summary>True when the process was started with the run's identity; null when its environment reads empty.</summary>
    private bool? CarriesIdentity(int pid)
    {
        if (_identity.Length == 0)
        {
            return false;
        }
        try
        {
            var bytes = File.ReadAllBytes($"/proc/{pid}/environ");
            return bytes.Length == 0 ? null : _identity.All(Encoding.UTF8.GetString(bytes).Split('\0').Contains);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Parses /proc/PID/stat: "pid (comm) state ppid pgrp session …"; comm may hold spaces and parentheses.</summary>
    private static ProcessEntry? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 3
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var session)
            ? new ProcessEntry(pid, parent, session, fields[0] == "Z" || fields[0] == "X", stat[(open + 1)..close])
            : null;
    }

    private sealed record ProcessEntry(int Pid, int Parent, int Session, bool Zombie, string Name);
}
