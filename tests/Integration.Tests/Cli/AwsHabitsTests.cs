using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// `coordinator` pointed at AWS the way the AWS CLI is, as a process against moto with none of the stack's AWS
/// variables: --profile (credentials and region from ~/.aws of a scratch HOME), --region (wins over the profile's),
/// --endpoint-url; no region anywhere, or an unknown profile, is a usage error naming what to set.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class AwsHabitsTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;
    private string _home = null!;

    public async Task InitializeAsync()
    {
        _cli = await CliStack.CreateAsync(fixture);
        _home = Directory.CreateTempSubdirectory("coord-home-").FullName;
        var aws = Directory.CreateDirectory(Path.Combine(_home, ".aws")).FullName;
        await File.WriteAllTextAsync(Path.Combine(aws, "credentials"), "[ci]\naws_access_key_id = test\naws_secret_access_key = test\n");
        await File.WriteAllTextAsync(Path.Combine(aws, "config"), "[profile ci]\nregion = us-east-1\n\n[profile elsewhere]\nregion = eu-west-2\n");
    }

    public async Task DisposeAsync()
    {
        await _cli.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    /// <summary>Nothing of the stack's AWS setup: only the scratch HOME and its ~/.aws files.</summary>
    private Task<ProcessResult> RunBareAsync(params string[] args) =>
        CoordinatorCli.RunAsync([.. args, .. _cli.Settings], new Dictionary<string, string?>
        {
            ["HOME"] = _home,
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_REGION"] = null,
            ["AWS_DEFAULT_REGION"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_ENDPOINT_URL"] = null,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = null,
            ["AWS_ENDPOINT_URL_S3"] = null,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_CONFIG_FILE"] = null,
            ["AWS_SHARED_CREDENTIALS_FILE"] = null,
            ["COORDINATOR_CONFIG"] = null,
            ["XDG_CONFIG_HOME"] = null,
            ["COLUMNS"] = null,
        });

    [Fact]
    public async Task A_profile_gives_credentials_and_region_and_the_endpoint_comes_from_endpoint_url()
    {
        await _cli.SubmitRunningAsync("habits");
        var listed = await RunBareAsync("get", "jobs", "--profile", "ci", "--endpoint-url", fixture.EndpointUrl);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("habits", listed.StandardOutput, StringComparison.Ordinal);

        // The options go anywhere on the line, as the AWS CLI's do.
        var before = await RunBareAsync("--profile", "ci", "--endpoint-url", fixture.EndpointUrl, "get", "jobs");
        Assert.True(before.ExitCode == 0, before.ToString());
    }

    [Fact]
    public async Task Region_wins_over_the_profiles_and_a_profiles_region_is_used_without_it()
    {
        // The tables are in us-east-1 (moto keeps regions apart): eu-west-2 has none of them.
        var elsewhere = await RunBareAsync("get", "jobs", "--profile", "ci", "--region", "eu-west-2", "--endpoint-url", fixture.EndpointUrl);
        Assert.Equal(3, elsewhere.ExitCode);
        Assert.Contains("a table is missing", elsewhere.StandardError, StringComparison.Ordinal);

        // A profile with a region but no keys: said so, with the profile's name.
        var noKeys = await RunBareAsync("get", "jobs", "--profile", "elsewhere", "--endpoint-url", fixture.EndpointUrl);
        Assert.Equal(2, noKeys.ExitCode);
        Assert.Contains("profile \"elsewhere\"", noKeys.StandardError, StringComparison.Ordinal);

        var back = await RunBareAsync("get", "jobs", "--region", "us-east-1", "--profile", "ci", "--endpoint-url", fixture.EndpointUrl);
        Assert.True(back.ExitCode == 0, back.ToString());
    }

    [Fact]
    public async Task No_region_from_any_source_and_an_unknown_profile_are_usage_errors_naming_what_to_set()
    {
        var noRegion = await RunBareAsync("get", "jobs", "--endpoint-url", fixture.EndpointUrl);
        Assert.Equal(2, noRegion.ExitCode);
        Assert.Contains("no AWS region: pass --region, set AWS_REGION", noRegion.StandardError, StringComparison.Ordinal);

        var unknown = await RunBareAsync("get", "jobs", "--profile", "nope", "--region", "us-east-1", "--endpoint-url", fixture.EndpointUrl);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("the AWS profile \"nope\" (--profile) was not found", unknown.StandardError, StringComparison.Ordinal);
    }
}
