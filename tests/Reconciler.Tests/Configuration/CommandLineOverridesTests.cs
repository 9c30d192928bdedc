using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Tests.Configuration;

public sealed class CommandLineOverridesTests
{
    [Fact]
    public void Equals_and_space_separated_overrides_are_both_accepted()
    {
        var (overrides, rejected) = CommandLineOverrides.Split(["--Coordinator:JobsTable=a", "--Coordinator:Bucket", "b"]);

        Assert.Equal(["--Coordinator:JobsTable=a", "--Coordinator:Bucket=b"], overrides);
        Assert.Empty(rejected);
    }

    [Fact]
    public void Tokens_that_are_not_coordinator_settings_are_rejected_not_ignored()
    {
        var (overrides, rejected) = CommandLineOverrides.Split(["--verbose", "--Coordinator:JobsTable", "--Coordinator:Bucket=b", "stray"]);

        Assert.Equal(["--Coordinator:Bucket=b"], overrides);
        Assert.Equal(["--verbose", "--Coordinator:JobsTable", "stray"], rejected);
    }
}
