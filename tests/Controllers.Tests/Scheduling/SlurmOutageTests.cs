using Coordinator.Controllers.Dispatch;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>The pure parts of the outage backoff: the delay sequence and the condition message.</summary>
public sealed class SlurmOutageTests
{
    [Fact]
    public void RetryDelay_DoublesFromOneSecondAndIsCappedAtThirtySeconds()
    {
        var delays = Enumerable.Range(1, 8).Select(f => SlurmOutage.RetryDelay(f).TotalSeconds);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void RetryDelay_DoesNotOverflowForAVeryLongOutage()
    {
        Assert.Equal(SlurmOutage.MaxRetryDelay, SlurmOutage.RetryDelay(int.MaxValue));
    }

    [Fact]
    public void RetryDelay_RefusesACountBelowOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SlurmOutage.RetryDelay(0));
    }

    [Fact]
    public void Message_NamesThePassTheNextTryAndSlurmsErrorCutToItsLimit()
    {
        var message = SlurmOutage.Message(3, TimeSpan.FromSeconds(4), "squeue could not list jobs: " + new string('x', 1000));
        Assert.StartsWith("Slurm did not answer (failed pass 3, next try in 4 s;", message, StringComparison.Ordinal);
        Assert.Contains("squeue could not list jobs: xxx", message, StringComparison.Ordinal);
        Assert.EndsWith("x…", message, StringComparison.Ordinal);
        Assert.True(message.Length < SlurmOutage.MaxErrorLength + 150, $"{message.Length} characters");
    }
}
