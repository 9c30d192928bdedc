using System.Diagnostics;
using System.Text.RegularExpressions;
using Coordinator.Testing;

namespace Coordinator.Controllers.Tests.Sdk;

/// <summary>
/// The Python helper's own tests (sdk/python/tests), run with the machine's real python3 so they count in ./test: each
/// runs a handler written with the helper as the worker runs one (a process, its environment, stdin/stdout or files).
/// </summary>
public sealed partial class PythonSdkTests
{
    [Fact]
    public async Task The_python_helpers_unittest_suite_passes_with_the_machines_python3()
    {
        var tests = RepoFiles.FindUp(Path.Combine("sdk", "python", "tests"))
            ?? throw new DirectoryNotFoundException("sdk/python/tests not found above the test directory");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-m", "unittest", "discover", "-v", "-s", tests])
        {
            start.ArgumentList.Add(argument);
        }
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var report = await stderr + await stdout;

        Assert.True(python.ExitCode == 0, report);
        var ran = RanLine().Match(report);
        Assert.True(ran.Success && int.Parse(ran.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 10, report);
        Assert.Contains("\nOK", report, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Ran (\d+) tests?")]
    private static partial Regex RanLine();
}
