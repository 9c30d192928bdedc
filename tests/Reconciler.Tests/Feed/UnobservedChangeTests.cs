using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Reconciler.Tests.Reconcile;

namespace Coordinator.Reconciler.Tests.Feed;

public sealed class UnobservedChangeTests
{
    private static readonly DateTimeOffset Done = new(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_finished_job_as_the_daemon_left_it_is_not_taken()
    {
        Assert.Null(UnobservedChange.Of(Finished(JobPhase.Succeeded)));
        Assert.Null(UnobservedChange.Of(Finished(JobPhase.Failed)));
        Assert.Null(UnobservedChange.Of(Finished(JobPhase.Cancelled)));
    }

    [Fact]
    public void A_spec_edit_that_makes_a_new_generation_is_taken_but_an_in_place_field_alone_is_not()
    {
        var edited = Finished(JobPhase.Succeeded);
        edited.Spec.Batching.MaxRecords = 3;
        Assert.Equal("spec", UnobservedChange.Of(edited));

        var suspended = Finished(JobPhase.Succeeded);
        suspended.Spec.Suspend = true;
        Assert.Null(UnobservedChange.Of(suspended));

        var replaced = Finished(JobPhase.Succeeded);
        replaced.Generation = 0; // a plain put-item kept the status but dropped the generation
        Assert.Equal("spec", UnobservedChange.Of(replaced));
    }

    [Fact]
    public void A_retry_generation_above_the_last_redrive_of_a_failed_job_is_taken()
    {
        var failed = Finished(JobPhase.Failed);
        failed.Spec.RetryGeneration = 1;
        Assert.Equal("retryGeneration", UnobservedChange.Of(failed));

        failed.Status.Conditions.Add(new Condition { Type = Redrive.ConditionType, Status = "True", ObservedGeneration = 1 });
        Assert.Null(UnobservedChange.Of(failed));

        var succeeded = Finished(JobPhase.Succeeded);
        succeeded.Spec.RetryGeneration = 1; // nothing to redrive
        Assert.Null(UnobservedChange.Of(succeeded));
    }

    [Fact]
    public void A_cancel_stamp_the_daemon_has_not_observed_is_taken()
    {
        var cancelled = Finished(JobPhase.Cancelled);
        cancelled.ReconcileRequestedAt = "2026-12-07T05:01:00.0000000+00:00";
        Assert.Equal("reconcileRequestedAt", UnobservedChange.Of(cancelled));

        cancelled.Status.ObservedReconcileRequest = cancelled.ReconcileRequestedAt;
        Assert.Null(UnobservedChange.Of(cancelled));
    }

    [Fact]
    public void A_ttl_whose_expiry_is_not_the_stored_one_is_taken()
    {
        var job = Finished(JobPhase.Succeeded);
        job.Spec.TtlAfterFinished = TimeSpan.FromMinutes(10);
        Assert.Equal("ttlAfterFinished", UnobservedChange.Of(job)); // an item from before status.expiresAt, or a TTL edit

        job.Status.ExpiresAt = Done.AddMinutes(10);
        Assert.Null(UnobservedChange.Of(job));
    }

    [Fact]
    public void An_unfinished_job_is_left_to_the_active_list()
    {
        var running = Finished(JobPhase.Running);
        running.Spec.Batching.MaxRecords = 3;
        running.Spec.RetryGeneration = 2;
        Assert.Null(UnobservedChange.Of(running));
    }

    private static Job Finished(JobPhase phase)
    {
        var job = JobReconcilerTests.ValidJob("done");
        job.Generation = 1;
        job.Version = 7;
        job.SpecHash = GenerationPolicy.IdentityHash(job);
        job.Status = new JobStatus { Phase = phase, ObservedGeneration = 1, CompletedAt = Done };
        return job;
    }
}
