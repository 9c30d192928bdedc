using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Where the chaos tests leave their figures (kills survived, faults injected, jobs and records compared) for
/// docs/reliability.md: the test output, and one line per test appended to $CHAOS_FIGURES (default
/// /tmp/coordinator-chaos-figures.log).
/// </summary>
internal static class Figures
{
    private static readonly Lock FileLock = new();

    public static void Record(ITestOutputHelper output, string test, string figures)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {(ChaosMode.Soak ? "soak" : "ci")} seed={ChaosMode.Seed} {test}: {figures}";
        output.WriteLine(line);
        var file = Environment.GetEnvironmentVariable("CHAOS_FIGURES") is { Length: > 0 } f ? f : "/tmp/coordinator-chaos-figures.log";
        lock (FileLock)
        {
            File.AppendAllText(file, line + "\n");
        }
    }
}
