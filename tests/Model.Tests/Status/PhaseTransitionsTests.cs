using Coordinator.Model.Errors;
using Coordinator.Model.Status;

namespace Coordinator.Model.Tests.Status;

public class PhaseTransitionsTests
{
    [Theory]
    [InlineData(JobPhase.Pending, JobPhase.Partitioning)]
    [InlineData(JobPhase.Pending, JobPhase.Invalid)]
    [InlineData(JobPhase.Partitioning, JobPhase.Dispatching)]
    [InlineData(JobPhase.Dispatching, JobPhase.Running)]
    [InlineData(JobPhase.Running, JobPhase.Aggregating)]
    [InlineData(JobPhase.Running, JobPhase.Dispatching)]
    [InlineData(JobPhase.Aggregating, JobPhase.Succeeded)]
    [InlineData(JobPhase.Running, JobPhase.Suspended)]
    [InlineData(JobPhase.Suspended, JobPhase.Running)]
    [InlineData(JobPhase.Failed, JobPhase.Dispatching)]
    [InlineData(JobPhase.Invalid, JobPhase.Pending)]
    [InlineData(JobPhase.Succeeded, JobPhase.Pending)]
    public void The_lifecycle_moves_are_allowed(JobPhase from, JobPhase to)
    {
        Assert.True(PhaseTransitions.IsAllowed(from, to));
        PhaseTransitions.Ensure(from, to);
    }

    [Theory]
    [InlineData(JobPhase.Succeeded, JobPhase.Running)]
    [InlineData(JobPhase.Cancelled, JobPhase.Running)]
    [InlineData(JobPhase.Pending, JobPhase.Succeeded)]
    [InlineData(JobPhase.Invalid, JobPhase.Running)]
    [InlineData(JobPhase.Aggregating, JobPhase.Dispatching)]
    [InlineData(JobPhase.Partitioning, JobPhase.Aggregating)]
    public void An_illegal_move_throws_naming_both_phases(JobPhase from, JobPhase to)
    {
        Assert.False(PhaseTransitions.IsAllowed(from, to));
        var ex = Assert.Throws<IllegalPhaseTransitionException>(() => PhaseTransitions.Ensure(from, to));
        Assert.Equal($"illegal job phase transition {from} -> {to}", ex.Message);
        Assert.IsAssignableFrom<CoordinatorException>(ex);
    }

    [Fact]
    public void Staying_in_a_phase_is_always_allowed()
    {
        foreach (var phase in Enum.GetValues<JobPhase>())
        {
            Assert.True(PhaseTransitions.IsAllowed(phase, phase));
        }
    }

    [Fact]
    public void Every_phase_but_the_start_can_be_reached_and_every_terminal_phase_only_leaves_for_a_new_generation()
    {
        var reachable = PhaseTransitions.All.Select(t => t.To).ToHashSet();
        Assert.All(Enum.GetValues<JobPhase>().Where(p => p != JobPhase.Pending), p => Assert.Contains(p, reachable));
        foreach (var (from, to) in PhaseTransitions.All.Where(t => PhaseTransitions.IsTerminal(t.From)))
        {
            Assert.True(to == JobPhase.Pending || (from, to) == (JobPhase.Failed, JobPhase.Dispatching), $"{from} -> {to}");
        }
    }
}
