using System.Collections;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Tests.Configuration;

/// <summary>Coordinator:Slurm:WorkerEnvironment: a map of any names, bound with their case, validated as identifiers.</summary>
public sealed partial class CoordinatorConfigurationTests
{
    [Fact]
    public void Worker_environment_entries_bind_from_environment_variables_keeping_the_name_and_the_value()
    {
        var environment = new Hashtable
        {
            ["COORDINATOR__SLURM__WORKERENVIRONMENT__AWS_PROFILE"] = "coordinator-worker",
            ["COORDINATOR__SLURM__WORKERENVIRONMENT__AWS_SHARED_CREDENTIALS_FILE"] = "/etc/coordinator/worker-credentials",
        };

        var options = CoordinatorConfiguration.LoadOptions(Build([], environment));

        Assert.Equal(new Dictionary<string, string>
        {
            ["AWS_PROFILE"] = "coordinator-worker",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/etc/coordinator/worker-credentials",
        }, options.Slurm.WorkerEnvironment);
    }

    [Fact]
    public void A_worker_environment_name_that_is_not_an_identifier_or_an_entry_that_is_a_section_is_reported()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() => CoordinatorConfiguration.LoadOptions(Build(
            ["--Coordinator:Slurm:WorkerEnvironment:BAD-NAME=x", "--Coordinator:Slurm:WorkerEnvironment:NESTED:X=y"], new Hashtable())));

        Assert.Equal(
        [
            "Coordinator:Slurm:WorkerEnvironment:NESTED: must be a single value, not a section",
            "Coordinator:Slurm:WorkerEnvironment:BAD-NAME: must be a plain environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
        ], error.Errors);
    }
}
