using Coordinator.Testing;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// deploy/prometheus/alerts.yml is valid for Prometheus (`promtool check rules`) and fires as its unit tests say
/// (`promtool test rules alerts.test.yml`: each alert on a series that should fire it, and not on one that should
/// not). That the metrics it names are the ones the daemon exports is checked by <see cref="DashboardTests"/>.
/// </summary>
public sealed class AlertRulesTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task TheAlertRules_AreValid_AndFireAsTheirUnitTestsExpect()
    {
        var (prometheus, problem) = await DashboardPrometheus.FindAsync();
        Skip.If(prometheus is null, problem);
        var promtool = Path.Combine(Path.GetDirectoryName(prometheus)!, "promtool");
        Skip.If(!File.Exists(promtool), $"promtool is not next to {prometheus}");
        var directory = RepoFiles.Path("deploy", "prometheus");

        var check = await ProcessRunner.RunAsync(promtool, ["check", "rules", "alerts.yml"], null, TimeSpan.FromMinutes(1), directory);
        output.WriteLine(check.StandardOutput + check.StandardError);
        check.EnsureSuccess("promtool check rules");
        Assert.Contains("SUCCESS: 8 rules found", check.StandardOutput, StringComparison.Ordinal);

        var test = await ProcessRunner.RunAsync(promtool, ["test", "rules", "alerts.test.yml"], null, TimeSpan.FromMinutes(1), directory);
        output.WriteLine(test.StandardOutput + test.StandardError);
        test.EnsureSuccess("promtool test rules");
        Assert.Contains("SUCCESS", test.StandardOutput + test.StandardError, StringComparison.Ordinal);

        var config = await ProcessRunner.RunAsync(promtool, ["check", "config", "prometheus.yml"], null, TimeSpan.FromMinutes(1), directory);
        output.WriteLine(config.StandardOutput + config.StandardError);
        config.EnsureSuccess("promtool check config (with rule_files: alerts.yml)");
    }
}
