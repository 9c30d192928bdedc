using System.ComponentModel;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Errors;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli;
using Coordinator.Reconciler.Configuration;
using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>The one exception → exit-code mapping every verb uses (CLI verbs, validate/plan/submit, init, worker, daemon).</summary>
public sealed class ExitCodesTests
{
    private static readonly (Exception Error, int? Code)[] Cases =
    [
        (new CoordinatorConfigurationException("Coordinator:Bucket: required"), ExitCodes.Usage),
        (new CoordinatorConfigurationException(["a", "b"]), ExitCodes.Usage),
        (new OptionsValidationException("Queue", typeof(object), ["MaxConcurrentReconciles must be at least 1"]), ExitCodes.Usage),
        (new ConflictException("job wc changed"), ExitCodes.Conflict),
        (new SpecException("spec.input.uri: required"), ExitCodes.UserError),
        (new ProvisioningException("table has another key schema"), ExitCodes.UserError),
        (new IllegalPhaseTransitionException(JobPhase.Succeeded, JobPhase.Running), ExitCodes.UserError),
        (new KeyNotFoundException("job \"wc\" not found"), ExitCodes.UserError),
        (new InvalidOperationException("only Failed jobs can be retried"), ExitCodes.UserError),
        (new ObjectDisposedException("x"), ExitCodes.UserError),
        (new ArgumentException("--max-concurrent must be between 1 and 10000"), ExitCodes.UserError),
        (new ArgumentOutOfRangeException("index"), ExitCodes.UserError),
        (new ResourceNotFoundException("table missing"), ExitCodes.Environment),
        (new AmazonServiceException("denied"), ExitCodes.Environment),
        (new AmazonClientException("no credentials"), ExitCodes.Environment),
        (new HttpRequestException("connection refused"), ExitCodes.Environment),
        (new SchedulerException("squeue: unreachable", transient: true), ExitCodes.Environment),
        (new SchedulerException("sbatch: invalid partition", transient: false), ExitCodes.Environment),
        (new Win32Exception(2, "squeue not found"), ExitCodes.Environment),
        (new FormatException("unexpected"), null),
        (new NotSupportedException(), null),
        (new IOException("disk full"), null),
        (new ItemFormatException("task item has no state"), null),
        (new OperationCanceledException(), null),
    ];

    [Fact]
    public void For_MapsEveryHandledFailureToItsDocumentedCode()
    {
        foreach (var (error, code) in Cases)
        {
            Assert.True(code == ExitCodes.For(error), $"{error.GetType().Name}: expected {code?.ToString() ?? "unhandled"}, got {ExitCodes.For(error)?.ToString() ?? "unhandled"}");
        }
    }

    [Fact]
    public void For_NeverMapsAFailureToSuccessOrAWatchOutcome()
    {
        var watchOnly = new[] { ExitCodes.Success, ExitCodes.JobCancelled, ExitCodes.JobInvalid, ExitCodes.Timeout };
        Assert.All(Cases, c => Assert.DoesNotContain(ExitCodes.For(c.Error) ?? -1, watchOnly));
    }
}
