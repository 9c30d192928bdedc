using System.Collections;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Tests.Configuration;

/// <summary>Precedence of the configuration sources and the errors LoadOptions reports.</summary>
public sealed partial class CoordinatorConfigurationTests : IDisposable
{
    private readonly string _exeDir = Directory.CreateTempSubdirectory("coord-exe-").FullName;
    private readonly string _cwd = Directory.CreateTempSubdirectory("coord-cwd-").FullName;

    public void Dispose()
    {
        Directory.Delete(_exeDir, true);
        Directory.Delete(_cwd, true);
    }

    [Fact]
    public void Defaults_apply_when_nothing_is_configured()
    {
        var options = CoordinatorConfiguration.LoadOptions(Build([], new Hashtable()));

        Assert.Equal("coordinator-jobs", options.JobsTable);
        Assert.Equal("coordinator-tasks", options.TasksTable);
        Assert.Equal("coordinator-leases", options.LeasesTable);
        Assert.Equal("coordinator", options.Bucket);
        Assert.Null(options.EndpointUrl);
        Assert.Equal(5000, options.Slurm.MaxOutstandingTasks);
    }

    [Fact]
    public void System_file_overrides_the_shipped_file_the_users_file_overrides_both_then_environment_then_command_line()
    {
        var home = Path.Combine(_cwd, "home");
        Directory.CreateDirectory(Path.Combine(home, ".config", "coordinator"));
        File.WriteAllText(Path.Combine(_exeDir, "appsettings.json"),
            """{"Coordinator": {"JobsTable": "exe-jobs", "TasksTable": "exe-tasks", "LeasesTable": "exe-leases", "Bucket": "exe-bucket", "Region": "eu-west-1"}}""");
        File.WriteAllText(Path.Combine(_cwd, "coordinator.json"),
            """{"Coordinator": {"TasksTable": "etc-tasks", "LeasesTable": "etc-leases", "Bucket": "etc-bucket", "Region": "eu-west-2"}}""");
        File.WriteAllText(Path.Combine(home, ".config", "coordinator", "coordinator.json"),
            """{"Coordinator": {"LeasesTable": "user-leases", "Bucket": "user-bucket", "Region": "eu-west-3"}}""");
        var environment = new Hashtable { ["HOME"] = home, ["COORDINATOR__BUCKET"] = "env-bucket" };

        var options = CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Region=eu-north-1"], environment));

        Assert.Equal(("exe-jobs", "etc-tasks", "user-leases", "env-bucket", "eu-north-1"),
            (options.JobsTable, options.TasksTable, options.LeasesTable, options.Bucket, options.Region));
    }

    [Fact]
    public void COORDINATOR_CONFIG_replaces_the_users_file_and_must_exist()
    {
        var home = Path.Combine(_cwd, "home");
        Directory.CreateDirectory(Path.Combine(home, ".config", "coordinator"));
        File.WriteAllText(Path.Combine(home, ".config", "coordinator", "coordinator.json"), """{"Coordinator": {"Bucket": "user-bucket"}}""");
        var chosen = Path.Combine(_cwd, "site.json");
        File.WriteAllText(chosen, """{"Coordinator": {"Bucket": "chosen-bucket"}}""");

        Assert.Equal("chosen-bucket", CoordinatorConfiguration.LoadOptions(Build([], new Hashtable { ["HOME"] = home, ["COORDINATOR_CONFIG"] = chosen })).Bucket);
        Assert.Equal("user-bucket", CoordinatorConfiguration.LoadOptions(Build([], new Hashtable { ["HOME"] = home })).Bucket);
        Assert.Equal("xdg-bucket", WithXdg());
        var missing = Assert.Throws<CoordinatorConfigurationException>(() => Build([], new Hashtable { ["COORDINATOR_CONFIG"] = Path.Combine(_cwd, "nope.json") }));
        Assert.Contains("COORDINATOR_CONFIG: no such file: " + Path.Combine(_cwd, "nope.json"), missing.Message, StringComparison.Ordinal);

        string WithXdg()
        {
            var xdg = Directory.CreateDirectory(Path.Combine(_cwd, "xdg", "coordinator")).FullName;
            File.WriteAllText(Path.Combine(xdg, "coordinator.json"), """{"Coordinator": {"Bucket": "xdg-bucket"}}""");
            return CoordinatorConfiguration.LoadOptions(Build([], new Hashtable { ["HOME"] = home, ["XDG_CONFIG_HOME"] = Path.Combine(_cwd, "xdg") })).Bucket;
        }
    }

    [Fact]
    public void Nested_environment_variables_use_double_underscores_and_other_variables_are_ignored()
    {
        var environment = new Hashtable
        {
            ["COORDINATOR__SLURM__PARTITION"] = "gpu",
            ["COORDINATOR__SLURM__MAXOUTSTANDINGTASKS"] = "42",
            ["COORDINATOR_DYNAMODB_LOCAL_URL"] = "http://127.0.0.1:8000",
            ["JOBSTABLE"] = "ignored",
        };

        var options = CoordinatorConfiguration.LoadOptions(Build([], environment));

        Assert.Equal("gpu", options.Slurm.Partition);
        Assert.Equal(42, options.Slurm.MaxOutstandingTasks);
        Assert.Equal("coordinator-jobs", options.JobsTable);
    }

    [Fact]
    public void Bad_bucket_is_reported_with_its_path_rule_and_value()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Bucket=Bad_Bucket"], new Hashtable())));

        var line = Assert.Single(error.Errors);
        Assert.Equal("Coordinator:Bucket: must match ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$; got \"Bad_Bucket\"", line);
        Assert.Contains(line, error.Message);
    }

    [Fact]
    public void The_deployment_identity_is_derived_from_tables_and_data_root_unless_set_and_a_bad_one_is_refused()
    {
        var derived = CoordinatorConfiguration.LoadOptions(Build([], new Hashtable())).DeploymentId;
        Assert.Equal(derived, CoordinatorConfiguration.LoadOptions(Build([], new Hashtable())).DeploymentId);
        Assert.Matches("^d[0-9a-f]{12}$", derived);
        Assert.NotEqual(derived, CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:JobsTable=staging-jobs"], new Hashtable())).DeploymentId);
        Assert.NotEqual(derived, CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:DataRoot=s3://other"], new Hashtable())).DeploymentId);
        Assert.Equal("prod-eu", CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Deployment=prod-eu"], new Hashtable())).DeploymentId);

        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Deployment=prod/eu"], new Hashtable())));
        Assert.StartsWith("Coordinator:Deployment: must match ^[A-Za-z0-9_-]{1,40}$", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_setting_is_reported_in_one_error()
    {
        var environment = new Hashtable
        {
            ["COORDINATOR__JOBTABLE"] = "typo",
            ["COORDINATOR__SLURM__MAXOUTSTANDINGTASKS"] = "many",
            ["COORDINATOR__REGION"] = "moon-1",
            ["COORDINATOR__ENDPOINTURL"] = "localhost:4566",
        };

        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Bucket=x"], environment)));

        Assert.Equal(5, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.StartsWith("Coordinator:JOBTABLE: unknown setting", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e == "Coordinator:SLURM:MAXOUTSTANDINGTASKS: must be a whole number; got \"many\"");
        Assert.Contains(error.Errors, e => e.StartsWith("Coordinator:Region: must be an AWS region name", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Coordinator:EndpointUrl: must be an absolute http", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("Coordinator:Bucket: must match", StringComparison.Ordinal));
    }

    [Fact]
    public void Out_of_range_slurm_budget_names_the_nested_setting()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Slurm:MaxOutstandingTasks=0"], new Hashtable())));

        Assert.Equal("Coordinator:Slurm:MaxOutstandingTasks: must be between 1 and 10000000; got \"0\"", Assert.Single(error.Errors));
    }

    [Fact]
    public void The_same_table_for_two_roles_is_rejected()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() => CoordinatorConfiguration.LoadOptions(
            Build(["--Coordinator:JobsTable=shared", "--Coordinator:TasksTable=shared"], new Hashtable())));

        Assert.Equal("Coordinator:JobsTable/TasksTable: must be different tables; all are \"shared\"", Assert.Single(error.Errors));
    }

    [Fact]
    public void A_section_given_a_plain_value_is_reported()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:Slurm=debug"], new Hashtable())));

        Assert.StartsWith("Coordinator:Slurm: must be a section", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    private Microsoft.Extensions.Configuration.IConfigurationRoot Build(string[] overrides, Hashtable environment) =>
        CoordinatorConfiguration.Build(overrides, _exeDir, _cwd, environment);
}
