using System.Diagnostics;
using Coordinator.Testing;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// deploy/package over the build next to the tests (framework-dependent: the layout and scripts are what is tested,
/// a self-contained publish would only cost CI a minute): a versioned tarball and a .deb, the .deb installed into a
/// scratch root with dpkg (its own admin directory, maintainer scripts run chrootless with DPKG_ROOT), and
/// `coordinator --version` run from the installed tree says the one version the build has.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("coord-package-").FullName;

    [SkippableFact]
    public async Task TheDeb_InstallsIntoAScratchRoot_AndItsBinarySaysTheBuildsVersion()
    {
        Skip.If(!File.Exists("/usr/bin/dpkg-deb") || !File.Exists("/usr/bin/dpkg"), "dpkg and dpkg-deb are needed (Debian)");
        var built = (await ProcessRunner.RunAsync(Path.Combine(AppContext.BaseDirectory, "coordinator"), ["--version"], null, TimeSpan.FromSeconds(30)))
            .EnsureSuccess("coordinator --version").StandardOutput.Trim();
        var version = built.Split('+')[0];
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);

        var clock = Stopwatch.StartNew();
        var package = (await ProcessRunner.RunAsync(RepoFiles.Path("deploy", "package"),
            ["--from", AppContext.BaseDirectory, "--output", Path.Combine(_work, "dist"), "--uid", "990"], null, TimeSpan.FromMinutes(3)))
            .EnsureSuccess("deploy/package");
        output.WriteLine($"deploy/package: {clock.Elapsed.TotalSeconds:0.0} s\n{package.StandardError}");
        var files = package.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([Path.Combine(_work, "dist", $"coordinator-{version}-linux-x64.tar.gz"), Path.Combine(_work, "dist", $"coordinator_{version}_amd64.deb")], files);

        var fields = (await Run("dpkg-deb", "--field", files[1], "Package", "Version", "Architecture")).StandardOutput;
        Assert.Contains("Package: coordinator", fields, StringComparison.Ordinal);
        Assert.Contains($"Version: {version}", fields, StringComparison.Ordinal);
        var contents = (await Run("dpkg-deb", "--contents", files[1])).StandardOutput;
        foreach (var path in new[] { "./opt/coordinator/coordinator", "./lib/systemd/system/coordinator.service", "./etc/coordinator/coordinator.env",
                     "./usr/share/coordinator/grafana/coordinator.json", "./usr/share/coordinator/prometheus/prometheus.yml", "./usr/bin/coordinator -> /opt/coordinator/coordinator" })
        {
            Assert.Contains(path, contents, StringComparison.Ordinal);
        }
        Assert.Contains("/etc/coordinator/coordinator.env", (await Run("dpkg-deb", "--info", files[1], "conffiles")).StandardOutput, StringComparison.Ordinal);
        Assert.Contains("./opt/coordinator/coordinator", (await Run("tar", "-tzf", files[0])).StandardOutput, StringComparison.Ordinal);

        var root = Path.Combine(_work, "root");
        var admin = Directory.CreateDirectory(Path.Combine(root, "var", "lib", "dpkg")).FullName;
        Directory.CreateDirectory(Path.Combine(admin, "info"));
        Directory.CreateDirectory(Path.Combine(admin, "updates"));
        await File.WriteAllTextAsync(Path.Combine(admin, "status"), "");
        var install = await Run("dpkg", $"--root={root}", "--force-script-chrootless", "--force-not-root",
            // The framework-dependent build depends on Debian's .NET runtime package; this machine has .NET from elsewhere.
            "--force-depends", "--log=/dev/null", "-i", files[1]);
        output.WriteLine(install.StandardOutput + install.StandardError);
        install.EnsureSuccess("dpkg --root -i");
        var status = (await Run("dpkg", $"--root={root}", "-s", "coordinator")).StandardOutput;
        Assert.Contains("Status: install ok installed", status, StringComparison.Ordinal);

        var installed = await ProcessRunner.RunAsync(Path.Combine(root, "opt", "coordinator", "coordinator"), ["--version"], null, TimeSpan.FromSeconds(30));
        Assert.Equal(built, installed.EnsureSuccess("installed coordinator --version").StandardOutput.Trim());
        var env = new FileInfo(Path.Combine(root, "etc", "coordinator", "coordinator.env"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, env.UnixFileMode);
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "lib", "systemd", "system", "coordinator.service"));
        Assert.Contains("ExecStart=/opt/coordinator/coordinator daemon", unit, StringComparison.Ordinal);
        Assert.Contains("WatchdogSec=", unit, StringComparison.Ordinal);
    }

    private static Task<ProcessResult> Run(string file, params string[] arguments) =>
        ProcessRunner.RunAsync(file, arguments, null, TimeSpan.FromMinutes(2));

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
