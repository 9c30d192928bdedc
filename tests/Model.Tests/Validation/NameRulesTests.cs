using Coordinator.Model.Spec;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Tests.Validation;

/// <summary>
/// Names become argv values (the worker's --job, sbatch's --job-name), so they follow the DNS label rule: a name that
/// starts or ends with '-' is refused, whatever else it contains, and could never be read as an option.
/// </summary>
public sealed class NameRulesTests
{
    [Theory]
    [InlineData("-h")]
    [InlineData("--pilot")]
    [InlineData("-x-")]
    [InlineData("x-")]
    [InlineData("-")]
    public void Names_that_start_or_end_with_a_dash_are_refused_as_not_a_dns_label(string name)
    {
        Assert.Equal($"must start and end with a lowercase letter or digit (a DNS label), got \"{name}\"", NameRules.Check(name));
        var errors = JobSpecValidator.Validate(new Job { Name = name, Spec = Valid() });
        Assert.Equal([$"metadata.name: must start and end with a lowercase letter or digit (a DNS label), got \"{name}\""],
            errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("wordcount-2026-11")]
    [InlineData("a--b")]
    public void Dns_labels_are_accepted(string name) => Assert.Null(NameRules.Check(name));

    [Fact]
    public void The_charset_message_is_kept_for_other_characters() =>
        Assert.Equal("must contain only lowercase letters, digits and '-', got \"Bad_Name\"", NameRules.Check("Bad_Name"));

    private static JobSpec Valid() => new()
    {
        Input = new InputSpec { Uri = "s3://data/in/" },
        Batching = new BatchingSpec { MaxRecords = 10 },
        Handler = new HandlerSpec { Command = ["cat"] },
        Output = new OutputSpec { Uri = "s3://data/out/" },
    };
}
