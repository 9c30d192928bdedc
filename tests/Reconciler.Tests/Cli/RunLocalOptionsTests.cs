using Coordinator.Reconciler.Cli;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>`coordinator run-local`'s options, parsed as the command line would be: values, and refusals with a reason.</summary>
public sealed class RunLocalOptionsTests : IDisposable
{
    private readonly string _input = Path.GetTempFileName();

    public void Dispose() => File.Delete(_input);

    [Fact]
    public void Every_option_is_read_with_its_value()
    {
        var parse = CliApplication.Build().Parse(["run-local", "-f", "job.yaml", "--batches", "2", "--input", _input,
            "--set", "handler.timeout=5s", "--set", "batching.maxRecords=3", "--out", "/tmp/out-dir"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("run-local", parse.CommandResult.Command.Name);
        Assert.Equal("job.yaml", parse.GetValue<FileInfo>("--file")!.Name);
        Assert.Equal(2, parse.GetValue<int?>("--batches"));
        Assert.Equal(_input, parse.GetValue<FileInfo?>("--input")!.FullName);
        Assert.Equal(["handler.timeout=5s", "batching.maxRecords=3"], parse.GetValue<string[]>("--set")!);
        Assert.Equal("/tmp/out-dir", parse.GetValue<DirectoryInfo?>("--out")!.FullName);
    }

    [Fact]
    public void Batches_and_input_are_optional()
    {
        var parse = CliApplication.Build().Parse(["run-local", "-f", "job.yaml"]);

        Assert.Empty(parse.Errors);
        Assert.Null(parse.GetValue<int?>("--batches"));
        Assert.Null(parse.GetValue<FileInfo?>("--input"));
    }

    [Theory]
    [InlineData("--batches", "0", "--batches must be at least 1")]
    [InlineData("--batches", "-3", "--batches must be at least 1")]
    [InlineData("--batches", "two", "two")]
    [InlineData("--input", "/nonexistent/records.jsonl", "--input /nonexistent/records.jsonl: no such file")]
    public void A_bad_value_is_refused_saying_what_is_wrong(string option, string value, string message)
    {
        var parse = CliApplication.Build().Parse(["run-local", "-f", "job.yaml", option, value]);

        Assert.Contains(parse.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_job_file_is_required()
    {
        var parse = CliApplication.Build().Parse(["run-local", "--batches", "1"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("--file", StringComparison.Ordinal));
    }
}
