using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Slurm;

namespace Coordinator.Controllers.Tests.Scheduling;

public sealed class SqueueJsonReaderTests
{
    private const string Slurm24 = """
    {"jobs": [
      {"job_id": 101, "array_job_id": {"set": true, "infinite": false, "number": 100}, "array_task_id": {"set": true, "infinite": false, "number": 1},
       "name": "wc", "comment": "tok-1", "job_state": ["RUNNING"], "state_reason": "None", "nodes": "node1"},
      {"job_id": 100, "array_job_id": {"set": true, "infinite": false, "number": 100}, "array_task_id": {"set": false, "infinite": false, "number": 0},
       "array_task_string": "2-4,7%2", "name": "wc", "comment": "tok-1", "job_state": ["PENDING"], "state_reason": "JobArrayTaskLimit"},
      {"job_id": 200, "array_job_id": {"set": true, "infinite": false, "number": 0}, "array_task_id": {"set": false, "infinite": false, "number": 0},
       "name": "other", "comment": "", "job_state": ["COMPLETING", "REQUEUED"]}
    ]}
    """;

    private const string Slurm22 = """
    {"jobs": [
      {"job_id": 11, "array_job_id": 10, "array_task_id": 0, "name": "wc", "comment": "t", "job_state": "PREEMPTED", "state_reason": "None"},
      {"job_id": 10, "array_job_id": 10, "array_task_string": "1-2", "name": "wc", "comment": "t", "job_state": "PENDING"}
    ]}
    """;

    [Fact]
    public void Read_GroupsArrayTasksAndExpandsPendingRangesOnNewSlurm()
    {
        var job = Assert.Single(SqueueJsonReader.Read(Slurm24, "wc"));
        Assert.Equal(("100", "wc", "tok-1"), (job.JobId, job.Name, job.Comment));
        Assert.Equal([1, 2, 3, 4, 7], job.Tasks.Select(t => t.ArrayIndex!.Value));
        Assert.Equal((SchedulerTaskState.Running, "node1"), (job.Tasks[0].State, job.Tasks[0].Node));
        Assert.All(job.Tasks.Skip(1), t => Assert.Equal((SchedulerTaskState.Pending, null), (t.State, t.Node)));
    }

    [Fact]
    public void Read_WithoutNameFilterListsEverySubmission()
    {
        var jobs = SqueueJsonReader.Read(Slurm24, null);
        Assert.Equal(["100", "200"], jobs.Select(j => j.JobId));
        Assert.Equal(SchedulerTaskState.Running, Assert.Single(jobs[1].Tasks).State);
    }

    [Fact]
    public void Read_UnderstandsPlainNumbersAndStringStatesOfOldSlurm()
    {
        var job = Assert.Single(SqueueJsonReader.Read(Slurm22, "wc"));
        Assert.Equal("10", job.JobId);
        Assert.Equal([(0, SchedulerTaskState.Preempted), (1, SchedulerTaskState.Pending), (2, SchedulerTaskState.Pending)],
            job.Tasks.Select(t => (t.ArrayIndex!.Value, t.State)));
    }

    [Fact]
    public void MaxArraySize_ReadsScontrolShowConfigOrFallsBackToSlurmDefault()
    {
        Assert.Equal(40001, SlurmConfigReader.MaxArraySize("MailProg = /bin/mail\nMaxArraySize            = 40001\nMaxJobCount = 10000\n"));
        Assert.Equal(1001, SlurmConfigReader.MaxArraySize("MaxJobCount = 10000\n"));
    }

    [Fact]
    public void Read_ThrowsATransientErrorWhenSqueueReportsErrorsInsteadOfListingAnEmptyQueue()
    {
        var error = Assert.Throws<SchedulerException>(() => SqueueJsonReader.Read(SlurmSchedulerTests.SqueueControllerDown, "wc"));
        Assert.True(error.Transient);
        Assert.Equal("squeue could not list jobs: Failed while looking for jobs (slurm_load_jobs: Unspecified error)", error.Message);
    }

    [Fact]
    public void Read_AnEmptyErrorsArrayIsAnEmptyQueue()
    {
        Assert.Empty(SqueueJsonReader.Read("""{"errors": [], "warnings": [], "jobs": []}""", "wc"));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("[]")]
    [InlineData("""{"meta": {}}""")]
    public void Read_JsonThatIsNotAQueueIsATransientErrorNotAnEmptyQueue(string json)
    {
        Assert.True(Assert.Throws<SchedulerException>(() => SqueueJsonReader.Read(json, "wc")).Transient);
    }
}
