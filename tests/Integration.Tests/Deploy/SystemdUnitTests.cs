using System.Globalization;
using System.Text.RegularExpressions;
using Coordinator.Testing;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;

namespace Coordinator.Integration.Tests.Deploy;

/// <summary>
/// deploy/systemd: the install script stages binaries, env file and unit (--destdir), the rendered unit passes
/// `systemd-analyze verify` with no warning at all, and `systemd-analyze security --offline` rates it at most
/// <see cref="ExposureBound"/> ("OK" band; an unhardened service rates 9.2 here). Needs systemd-analyze (Debian's
/// systemd package); without it the tests are skipped with that reason. No running systemd is needed.
/// </summary>
public sealed partial class SystemdUnitTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The bound on systemd-analyze's exposure score (0 = locked down, 10 = unprotected); measured 1.3.</summary>
    private const double ExposureBound = 2.0;

    private readonly string _root = Directory.CreateTempSubdirectory("coord-systemd-").FullName;

    private static string? Analyzer =>
        new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public async Task InstalledUnit_PassesSystemdAnalyzeVerifyWithoutAnyWarning()
    {
        Skip.If(Analyzer is null, "systemd-analyze is not installed (apt-get install -y systemd)");
        var unit = await InstallAsync();
        var verify = await ProcessRunner.RunAsync(Analyzer!, ["verify", unit], null, TimeSpan.FromSeconds(60));
        Assert.True(verify.ExitCode == 0 && (verify.StandardOutput + verify.StandardError).Trim().Length == 0,
            $"systemd-analyze verify exit {verify.ExitCode}:\n{verify.StandardOutput}{verify.StandardError}");
    }

    [SkippableFact]
    public async Task Verify_FailsWhenExecStartDoesNotExist_SoTheCleanVerifyMeansSomething()
    {
        Skip.If(Analyzer is null, "systemd-analyze is not installed (apt-get install -y systemd)");
        var unit = await InstallAsync();
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(unit)).Replace("/opt/coordinator/coordinator daemon", "/opt/coordinator/missing daemon", StringComparison.Ordinal));
        var verify = await ProcessRunner.RunAsync(Analyzer!, ["verify", unit], null, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, verify.ExitCode);
        Assert.Contains("missing", verify.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task InstalledUnit_SecurityExposureIsAtMostTheBound()
    {
        Skip.If(Analyzer is null, "systemd-analyze is not installed (apt-get install -y systemd)");
        var unit = await InstallAsync();
        var security = await ProcessRunner.RunAsync(Analyzer!, ["security", "--offline=true", "--no-pager", unit], null, TimeSpan.FromSeconds(60));
        var match = Exposure().Match(security.StandardOutput);
        Assert.True(match.Success, $"no overall exposure level in:\n{security.StandardOutput}{security.StandardError}");
        var score = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"systemd-analyze security exposure: {score} (bound {ExposureBound})");
        Assert.True(score <= ExposureBound, $"exposure {score} > {ExposureBound}:\n{security.StandardOutput}");
    }

    [Fact]
    public async Task Unit_HasTheDirectivesTheServiceDependsOn()
    {
        var text = await File.ReadAllTextAsync(RepoFiles.Path("deploy", "systemd", "coordinator.service"));
        var directives = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => (Key: l[..l.IndexOf('=', StringComparison.Ordinal)], Value: l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .ToLookup(d => d.Key, d => d.Value);
        Assert.Equal("notify", Assert.Single(directives["Type"]));
        Assert.Equal("on-failure", Assert.Single(directives["Restart"]));
        Assert.Equal("/etc/coordinator/coordinator.env", Assert.Single(directives["EnvironmentFile"]));
        Assert.NotEqual("root", Assert.Single(directives["User"]));
        Assert.Equal("strict", Assert.Single(directives["ProtectSystem"]));
        foreach (var flag in new[] { "NoNewPrivileges", "PrivateTmp", "ProtectHome" })
        {
            Assert.Equal("yes", Assert.Single(directives[flag]));
        }
        // The .NET JIT needs writable+executable pages, and munge needs the real UID: these would break the daemon.
        Assert.Empty(directives["MemoryDenyWriteExecute"]);
        Assert.Empty(directives["PrivateUsers"]);
    }

    /// <summary>Runs deploy/systemd/install --destdir into a temp root and returns a copy of the unit whose paths point into it.</summary>
    private async Task<string> InstallAsync()
    {
        var result = await ProcessRunner.RunAsync(RepoFiles.Path("deploy", "systemd", "install"),
            ["--from", AppContext.BaseDirectory, "--destdir", _root], null, TimeSpan.FromMinutes(2));
        result.EnsureSuccess();
        var binary = Path.Combine(_root, "opt", "coordinator", "coordinator");
        Assert.True(File.Exists(binary), $"install did not place {binary}");
        var env = Path.Combine(_root, "etc", "coordinator", "coordinator.env");
        Assert.Contains("COORDINATOR__SLURM__WORKEREXECUTABLE=/opt/coordinator/coordinator", await File.ReadAllTextAsync(env), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(env));
        }
        var installed = await File.ReadAllTextAsync(Path.Combine(_root, "etc", "systemd", "system", "coordinator.service"));
        var verifyDirectory = Directory.CreateDirectory(Path.Combine(_root, "verify")).FullName;
        var unit = Path.Combine(verifyDirectory, "coordinator.service");
        await File.WriteAllTextAsync(unit, installed.Replace("/opt/coordinator/", Path.Combine(_root, "opt", "coordinator") + "/", StringComparison.Ordinal));
        return unit;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+(?:\.\d+)?)")]
    private static partial Regex Exposure();

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
