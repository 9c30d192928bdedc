using Coordinator.Aws.DynamoDb;

namespace Coordinator.Reconciler.LeaderElection;

/// <summary>
/// Whether this daemon may write the lease (pure). It may when there is none, when it holds it, when it was released
/// (empty holder), or when the holder has let it go unchanged for a whole lease duration. "Unchanged for" is measured
/// on this daemon's own clock from when it first saw that version, never from the holder's timestamps, so clock skew
/// between head nodes cannot make a live lease look expired (client-go does the same).
/// </summary>
public static class LeaseRules
{
    public static bool MayWrite(LeaseRecord? current, string identity, TimeSpan unchangedFor) =>
        current is null
        || current.Holder == identity
        || current.Holder.Length == 0
        || unchangedFor >= current.Duration;
}
