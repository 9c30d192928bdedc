namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// What a reconcile is given: only the job's name, never the event that woke it, so reconciling is level-based
/// (controller-runtime's reconcile.Request).
/// </summary>
public readonly record struct JobKey(string Name)
{
    public override string ToString() => Name;
}
