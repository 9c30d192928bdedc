using Coordinator.Aws.Provisioning;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Storage;
using Coordinator.Model.Errors;
using Coordinator.Reconciler.Cli;
using Coordinator.Reconciler.Configuration;
using Coordinator.Reconciler.Reconcile;

namespace Coordinator.Reconciler.Tests.Retry;

/// <summary>Every exception Coordinator defines has the one root, and says whether a retry can help.</summary>
public sealed class ExceptionRootTests
{
    private static readonly string[] Assemblies =
    [
        "Coordinator.Model", "Coordinator.Data", "Coordinator.Controllers", "Coordinator.Aws", "Coordinator.Scheduling",
        "Coordinator.Worker", "coordinator",
    ];

    [Fact]
    public void EveryProjectException_DerivesFromCoordinatorException()
    {
        var loaded = Assemblies.Select(name => AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name)
            ?? System.Reflection.Assembly.Load(name)).ToList();
        Assert.Contains(typeof(ExitCodes).Assembly, loaded);
        var exceptions = loaded.SelectMany(a => a.GetTypes()).Where(t => typeof(Exception).IsAssignableFrom(t)).ToList();
        Assert.True(exceptions.Count >= 14, $"found only {exceptions.Count} exception types");
        Assert.All(exceptions, t => Assert.True(typeof(CoordinatorException).IsAssignableFrom(t), $"{t.FullName} does not derive from CoordinatorException"));
    }

    [Fact]
    public void Transient_OnlyWhereTryingAgainCanHelp()
    {
        Assert.True(new ConflictException("lost").IsTransient);
        Assert.True(new SchedulerException("timeout", transient: true).IsTransient);
        Assert.False(new SchedulerException("bad partition", transient: false).IsTransient);
        Assert.True(new StreamsException("ThrottlingException", "slow down", System.Net.HttpStatusCode.BadRequest).IsTransient);
        Assert.True(new StreamsException("InternalServerError", "oops", System.Net.HttpStatusCode.InternalServerError).IsTransient);
        Assert.False(new StreamsException("TrimmedDataAccessException", "gone", System.Net.HttpStatusCode.BadRequest).IsTransient);
        Assert.True(new ObjectStoreException(new Uri("s3://b/k"), ObjectStoreErrorKind.Failed, "reset").IsTransient);
        Assert.False(new ObjectStoreException(new Uri("s3://b/k"), ObjectStoreErrorKind.NotFound, "missing").IsTransient);
        Assert.False(new SpecException("bad").IsTransient);
        Assert.False(new ProvisioningException("wrong keys").IsTransient);
        Assert.False(new CoordinatorConfigurationException("bad").IsTransient);
        Assert.False(new TerminalReconcileException("never").IsTransient);
    }
}
