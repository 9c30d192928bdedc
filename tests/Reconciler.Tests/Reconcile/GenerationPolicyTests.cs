using Coordinator.Model.Spec;
using Coordinator.Reconciler.Reconcile;

namespace Coordinator.Reconciler.Tests.Reconcile;

public sealed class GenerationPolicyTests
{
    [Fact]
    public void A_job_never_seen_by_the_daemon_starts_at_generation_one()
    {
        var (generation, hash, isNew) = GenerationPolicy.Decide(NewJob(), floor: 0);

        Assert.Equal(1, generation);
        Assert.True(isNew);
        Assert.Equal(64, hash.Length);
    }

    [Fact]
    public void An_unchanged_spec_keeps_its_generation()
    {
        var job = NewJob();
        (job.Generation, job.SpecHash, _) = GenerationPolicy.Decide(job, 0);

        Assert.Equal((1L, false), (GenerationPolicy.Decide(job, 0).Generation, GenerationPolicy.Decide(job, 0).IsNew));
    }

    [Fact]
    public void Editing_the_input_starts_a_new_generation()
    {
        var job = NewJob();
        (job.Generation, job.SpecHash, _) = GenerationPolicy.Decide(job, 0);

        job.Spec.Input.Uri = "s3://data/other/";

        Assert.Equal((2L, true), (GenerationPolicy.Decide(job, 0).Generation, GenerationPolicy.Decide(job, 0).IsNew));
    }

    [Fact]
    public void Fields_meant_for_live_edits_do_not_start_a_new_generation()
    {
        var job = NewJob();
        (job.Generation, job.SpecHash, _) = GenerationPolicy.Decide(job, 0);

        job.Spec.Suspend = true;
        job.Spec.Slurm.MaxConcurrent = 7;
        job.Spec.RetryGeneration = 3;
        job.Spec.ActiveDeadline = TimeSpan.FromHours(2);
        job.Spec.TtlAfterFinished = TimeSpan.FromDays(1);

        Assert.False(GenerationPolicy.Decide(job, 0).IsNew);
    }

    [Fact]
    public void A_replaced_item_that_lost_its_generation_continues_after_the_highest_one_used()
    {
        var job = NewJob(); // generation 0: a plain put-item dropped what the daemon wrote

        Assert.Equal(5, GenerationPolicy.Decide(job, floor: 4).Generation);
    }

    [Fact]
    public void Fixing_an_unreadable_field_counts_as_an_edit()
    {
        var job = NewJob();
        job.DecodeErrors.Add("spec.batching.maxRecords: expected a number (N), got S \"ten\"");
        (job.Generation, job.SpecHash, _) = GenerationPolicy.Decide(job, 0);

        job.DecodeErrors.Clear();

        Assert.True(GenerationPolicy.Decide(job, 0).IsNew);
    }

    private static Job NewJob() => new()
    {
        Name = "wc",
        Spec = new JobSpec
        {
            Input = new InputSpec { Uri = "s3://data/in/" },
            Batching = new BatchingSpec { MaxRecords = 1000 },
            Handler = new HandlerSpec { Command = ["python3", "wc.py"] },
            Output = new OutputSpec { Uri = "s3://data/out/" },
        },
    };
}
