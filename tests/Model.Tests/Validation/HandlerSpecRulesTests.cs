using Coordinator.Model.Loading;

namespace Coordinator.Model.Tests.Validation;

/// <summary>handler.inheritEnv, handler.workingDirectory and the stdio record shapes: the message a user sees for each bad value.</summary>
public class HandlerSpecRulesTests
{
    private const string Valid = """
        apiVersion: coordinator/v1
        kind: Job
        metadata:
          name: env-job
        spec:
          input:
            uri: s3://data-in/records/
          batching:
            maxRecords: 100
          handler:
            command: [python3, handler.py]
            inheritEnv: [INHERIT]
            workingDirectory: /opt/models
          output:
            uri: s3://data-out/results/
        """;

    private static async Task<string[]> ErrorsOf(string yaml)
    {
        var result = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, [], CancellationToken.None);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    private static string With(string inherit, string workingDirectory = "/opt/models") =>
        Valid.Replace("INHERIT", inherit, StringComparison.Ordinal).Replace("/opt/models", workingDirectory, StringComparison.Ordinal);

    [Theory]
    [InlineData("LD_LIBRARY_PATH")]
    [InlineData("\"CONDA_*\"")]
    [InlineData("\"*PATH\"")]
    [InlineData("\"PYTHON?ATH\"")]
    public async Task Names_and_globs_that_reach_no_credential_are_accepted(string inherit) =>
        Assert.Empty(await ErrorsOf(With(inherit)));

    [Theory]
    [InlineData("\"AWS_*\"", "AWS_SECRET_ACCESS_KEY")]
    [InlineData("\"*\"", "AWS_SECRET_ACCESS_KEY")]
    [InlineData("\"*TOKEN\"", "AWS_SESSION_TOKEN")]
    [InlineData("\"A*\"", "AWS_SECRET_ACCESS_KEY")]
    [InlineData("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")]
    [InlineData("AWS_REGION", "AWS_REGION")]
    [InlineData("\"COORDINATOR_*\"", "COORDINATOR_WORKER__SCRATCHROOT")]
    public async Task A_name_or_glob_that_could_pass_the_workers_credentials_is_refused_naming_one(string inherit, string example)
    {
        var error = Assert.Single(await ErrorsOf(With(inherit)));
        Assert.StartsWith("spec.handler.inheritEnv[0]", error, StringComparison.Ordinal);
        Assert.Contains($"would pass the worker's credentials or configuration to the handler (it matches {example})", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_that_is_no_variable_name_is_refused() =>
        Assert.Contains("\"1-x\" is not a variable name or glob", Assert.Single(await ErrorsOf(With("\"1-x\""))), StringComparison.Ordinal);

    [Theory]
    [InlineData("models")]
    [InlineData("/opt/../etc")]
    public async Task A_working_directory_must_be_absolute(string directory)
    {
        var error = Assert.Single(await ErrorsOf(With("LD_LIBRARY_PATH", directory)));
        Assert.StartsWith("spec.handler.workingDirectory", error, StringComparison.Ordinal);
        Assert.Contains("must be an absolute path without '..'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parquet_output_from_a_stdio_handler_needs_a_parquet_input()
    {
        var yaml = With("LD_LIBRARY_PATH").Replace("    uri: s3://data-out/results/", "    uri: s3://data-out/results/\n    format: parquet", StringComparison.Ordinal);
        var error = Assert.Single(await ErrorsOf(yaml));
        Assert.StartsWith("spec.output.format", error, StringComparison.Ordinal);
        Assert.Contains("takes the input's Parquet schema, and the input is jsonl", error, StringComparison.Ordinal);
    }
}
