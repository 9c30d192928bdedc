using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;

namespace Coordinator.Controllers.Tests.Pipeline;

public sealed class StatusEditorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_condition_takes_the_pass_time_and_the_jobs_generation()
    {
        var context = Context(generation: 3, T0);

        Assert.True(StatusEditor.SetCondition(context, ConditionTypes.Valid, true, "SpecValid", "ok"));

        var condition = Assert.Single(context.Job.Status.Conditions);
        Assert.Equal((StatusEditor.True, "SpecValid", "ok", T0, 3L),
            (condition.Status, condition.Reason, condition.Message, condition.LastTransitionTime, condition.ObservedGeneration));
    }

    [Fact]
    public void LastTransitionTime_changes_only_when_the_status_changes()
    {
        var status = new JobStatus();
        StatusEditor.SetCondition(status, ConditionTypes.Dispatched, StatusEditor.False, "Waiting", "0/10", 1, T0);

        Assert.True(StatusEditor.SetCondition(status, ConditionTypes.Dispatched, StatusEditor.False, "Waiting", "5/10", 1, T0.AddMinutes(1)));
        Assert.Equal(T0, status.Conditions[0].LastTransitionTime);
        Assert.True(StatusEditor.SetCondition(status, ConditionTypes.Dispatched, StatusEditor.True, "AllSubmitted", "10/10", 1, T0.AddMinutes(2)));
        Assert.Equal(T0.AddMinutes(2), status.Conditions[0].LastTransitionTime);
        Assert.Single(status.Conditions);
    }

    [Fact]
    public void Setting_the_same_condition_again_reports_no_change()
    {
        var status = new JobStatus();
        StatusEditor.SetCondition(status, ConditionTypes.Valid, StatusEditor.True, "SpecValid", "", 2, T0);

        Assert.False(StatusEditor.SetCondition(status, ConditionTypes.Valid, StatusEditor.True, "SpecValid", "", 2, T0.AddHours(1)));
        Assert.Equal(T0, status.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void IsTrue_can_require_the_condition_to_speak_about_the_current_generation()
    {
        var status = new JobStatus();
        StatusEditor.SetCondition(status, ConditionTypes.Partitioned, StatusEditor.True, "Done", "", 1, T0);

        Assert.True(StatusEditor.IsTrue(status, ConditionTypes.Partitioned));
        Assert.True(StatusEditor.IsTrue(status, ConditionTypes.Partitioned, 1));
        Assert.False(StatusEditor.IsTrue(status, ConditionTypes.Partitioned, 2));
        Assert.False(StatusEditor.IsTrue(status, ConditionTypes.Stored));
        Assert.False(StatusEditor.IsFalse(status, ConditionTypes.Partitioned));
    }

    [Fact]
    public void An_unknown_condition_status_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            StatusEditor.SetCondition(new JobStatus(), ConditionTypes.Valid, "yes", "", "", 1, T0));
        Assert.Contains("\"yes\"", error.Message);
    }

    [Fact]
    public void Phase_moves_go_through_the_transitions_table()
    {
        var status = new JobStatus { Phase = JobPhase.Pending };

        Assert.True(StatusEditor.SetPhase(status, JobPhase.Invalid));
        Assert.False(StatusEditor.SetPhase(status, JobPhase.Invalid));
        Assert.Throws<IllegalPhaseTransitionException>(() => StatusEditor.SetPhase(status, JobPhase.Running));
        Assert.Equal(JobPhase.Invalid, status.Phase);
    }

    [Fact]
    public void RemoveCondition_drops_it_and_reports_whether_it_was_there()
    {
        var status = new JobStatus();
        StatusEditor.SetCondition(status, ConditionTypes.Suspended, StatusEditor.True, "UserSuspended", "", 1, T0);

        Assert.True(StatusEditor.RemoveCondition(status, ConditionTypes.Suspended));
        Assert.False(StatusEditor.RemoveCondition(status, ConditionTypes.Suspended));
    }

    private static JobContext Context(long generation, DateTimeOffset now) =>
        new(new Job { Name = "wc", Generation = generation }, now, (_, _) => Task.FromResult(1L));
}
