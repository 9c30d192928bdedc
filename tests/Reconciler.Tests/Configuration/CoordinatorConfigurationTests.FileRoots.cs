using System.Collections;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Tests.Configuration;

/// <summary>Coordinator:FileRoots: a list, bound from numbered entries; a plain value or a relative path is reported.</summary>
public sealed partial class CoordinatorConfigurationTests
{
    [Fact]
    public void File_roots_bind_from_numbered_environment_variables()
    {
        var environment = new Hashtable { ["COORDINATOR__FILEROOTS__0"] = "/srv/data", ["COORDINATOR__FILEROOTS__1"] = "/scratch" };

        Assert.Equal(["/srv/data", "/scratch"], CoordinatorConfiguration.LoadOptions(Build([], environment)).FileRoots!);
    }

    [Fact]
    public void File_roots_given_as_one_value_or_relative_are_reported()
    {
        var scalar = Assert.Throws<CoordinatorConfigurationException>(() => CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:FileRoots=/srv/data"], new Hashtable())));
        Assert.Equal(["Coordinator:FileRoots: must be a list: set Coordinator:FileRoots:0, Coordinator:FileRoots:1, … (COORDINATOR__FILEROOTS__0=…); got \"/srv/data\""], scalar.Errors);

        var relative = Assert.Throws<CoordinatorConfigurationException>(() => CoordinatorConfiguration.LoadOptions(Build(["--Coordinator:FileRoots:0=data"], new Hashtable())));
        Assert.Equal(["Coordinator:FileRoots: every entry must be an absolute directory such as /srv/data; got \"data\""], relative.Errors);
    }
}
