using Coordinator.Controllers.Configuration;
using Coordinator.Reconciler.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Tests.Configuration;

/// <summary>The daemon host's registration: bound, validated at start, and available directly.</summary>
public sealed class CoordinatorOptionsRegistrationTests
{
    [Fact]
    public void Bound_options_are_resolvable_both_as_IOptions_and_directly()
    {
        using var provider = Services(new() { ["Coordinator:JobsTable"] = "prod-jobs" }).BuildServiceProvider();

        Assert.Equal("prod-jobs", provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.JobsTable);
        Assert.Equal("prod-jobs", provider.GetRequiredService<CoordinatorOptions>().JobsTable);
    }

    [Fact]
    public async Task Host_start_fails_naming_the_bad_setting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:Bucket"] = "Bad_Bucket",
            ["Coordinator:Slurm:LogDirectory"] = "relative/logs",
        });
        builder.Services.AddCoordinatorOptions(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("Coordinator:Bucket: must match", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Coordinator:Slurm:LogDirectory: must be an absolute path", StringComparison.Ordinal));
    }

    [Fact]
    public void A_host_using_the_coordinator_sources_reads_settings_like_the_cli_does()
    {
        var exeDir = Directory.CreateTempSubdirectory("coord-host-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(exeDir, "appsettings.json"), """{"Coordinator": {"JobsTable": "file-jobs", "Bucket": "file-bucket"}}""");
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddCoordinatorSources(["--Coordinator:Bucket=cli-bucket"], exeDir, exeDir,
                new System.Collections.Hashtable { ["COORDINATOR__TASKSTABLE"] = "env-tasks" });
            builder.Services.AddCoordinatorOptions(builder.Configuration);
            using var host = builder.Build();

            var options = host.Services.GetRequiredService<CoordinatorOptions>();

            Assert.Equal(("file-jobs", "env-tasks", "cli-bucket"), (options.JobsTable, options.TasksTable, options.Bucket));
        }
        finally
        {
            Directory.Delete(exeDir, true);
        }
    }

    private static ServiceCollection Services(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddCoordinatorOptions(configuration);
        return services;
    }
}
