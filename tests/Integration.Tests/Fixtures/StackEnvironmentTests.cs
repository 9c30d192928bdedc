using Coordinator.Testing.Stack;

namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>The fixture reads localstack/up's env file exactly as the shell does.</summary>
public sealed class StackEnvironmentTests
{
    [Fact]
    public void Export_lines_are_parsed_and_comments_and_other_lines_ignored()
    {
        var values = StackEnvironment.ParseExports(
        [
            "# Written by localstack/up",
            "export AWS_ENDPOINT_URL=http://127.0.0.1:4566",
            "export COORDINATOR_DYNAMODB_LOCAL_URL=",
            "export SLURM_CONF=\"/tmp/a b/slurm.conf\"",
            "AWS_REGION=ignored-without-export",
        ]);

        Assert.Equal("http://127.0.0.1:4566", values["AWS_ENDPOINT_URL"]);
        Assert.Equal("", values["COORDINATOR_DYNAMODB_LOCAL_URL"]);
        Assert.Equal("/tmp/a b/slurm.conf", values["SLURM_CONF"]);
        Assert.False(values.ContainsKey("AWS_REGION"));
    }

    [Fact]
    public void The_env_file_written_by_localstack_up_is_found_above_the_test_directory_when_the_stack_is_up()
    {
        var environment = StackEnvironment.Load();

        Assert.NotNull(environment["AWS_ENDPOINT_URL"]);
        if (System.Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is null)
        {
            // Run outside ./test: the values can only have come from the env file.
            Assert.NotNull(environment.EnvFile);
            Assert.EndsWith(StackEnvironment.EnvFileRelativePath, environment.EnvFile);
        }
    }
}
