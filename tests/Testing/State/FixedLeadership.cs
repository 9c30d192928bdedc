using Coordinator.Controllers.Ports;

namespace Coordinator.Testing.State;

/// <summary>A leadership guard for tests: a fixed term, and whether side effects are allowed (settable).</summary>
public sealed class FixedLeadership(long term, bool mayAct = true) : ILeadershipGuard
{
    public long? Term { get; set; } = term;

    public bool MayAct { get; set; } = mayAct;

    public bool MayActNow() => MayAct;
}
