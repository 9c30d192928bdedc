using Coordinator.Model.Status;

namespace Coordinator.Model.Errors;

/// <summary>
/// A controller tried a phase move that is not in <see cref="PhaseTransitions"/>. This is a bug in the caller,
/// never a user error, so it is not retried: retrying would only repeat the same illegal move.
/// </summary>
public sealed class IllegalPhaseTransitionException : CoordinatorException
{
    public IllegalPhaseTransitionException(JobPhase from, JobPhase to)
        : base($"illegal job phase transition {from} -> {to}")
    {
        From = from;
        To = to;
    }

    public IllegalPhaseTransitionException()
    {
    }

    public IllegalPhaseTransitionException(string message)
        : base(message)
    {
    }

    public IllegalPhaseTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JobPhase From { get; }
    public JobPhase To { get; }
}
