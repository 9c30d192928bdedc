namespace Coordinator.Chaos.Tests;

/// <summary>
/// Bounded CI mode by default; CHAOS_SOAK=1 (`./test --soak`) runs the longer soak: more kills, more faults.
/// Each test reads its figures from here so the two modes differ only in size, never in what is asserted.
/// </summary>
internal static class ChaosMode
{
    public static bool Soak => Environment.GetEnvironmentVariable("CHAOS_SOAK") is "1" or "true";

    /// <summary>Picks the CI or the soak value.</summary>
    public static T Pick<T>(T ci, T soak) => Soak ? soak : ci;

    /// <summary>A seed printed by each test, so a failing random schedule can be replayed with CHAOS_SEED.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), out var seed)
        ? seed
        : Random.Shared.Next();
}
