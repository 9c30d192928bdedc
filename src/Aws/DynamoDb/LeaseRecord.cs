namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// The leader lease as stored: who holds it, for how long a holder may go without renewing, when it was taken and
/// renewed (informational: followers judge expiry by their own clock, see LeaderElector), and the version every
/// write is conditional on.
/// </summary>
public sealed record LeaseRecord(string Name, string Holder, TimeSpan Duration, DateTimeOffset AcquiredAt, DateTimeOffset RenewedAt,
    long Transitions, long Version);
