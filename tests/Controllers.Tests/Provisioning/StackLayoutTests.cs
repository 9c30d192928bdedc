using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Controllers.Tests.Provisioning;

public sealed class StackLayoutTests
{
    [Fact]
    public void Tables_use_the_configured_names_and_the_documented_keys()
    {
        var tables = StackLayout.Tables(new CoordinatorOptions { JobsTable = "j", TasksTable = "t", LeasesTable = "l" });

        Assert.Equal(["j: name (S, HASH)", "t: job (S, HASH), index (N, RANGE)", "l: name (S, HASH)"],
            tables.Select(t => $"{t.Name}: {t.DescribeKeys()}"));
    }
}
