namespace Coordinator.Reconciler.Feed;

/// <summary>Which table a stream belongs to: it decides how a record names its job.</summary>
public enum StreamTable
{
    Jobs,
    Tasks,
}
