using System.Collections;
using Coordinator.Controllers.Configuration;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Tests.Configuration;

/// <summary>The tuning sections (Heartbeat, Dispatch, DynamoDb, Worker): bound from Coordinator:*, today's defaults, validated at load.</summary>
public sealed partial class CoordinatorConfigurationTests
{
    [Fact]
    public void Defaults_are_the_values_that_were_hard_coded()
    {
        var (options, worker) = LoadTuning();

        Assert.Equal(TimeSpan.FromSeconds(15), options.Heartbeat.Interval);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Heartbeat.StaleAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Dispatch.RescanInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Dispatch.FullRecountInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Dispatch.RunningRequeue);
        Assert.Equal(6, options.DynamoDb.MaxRetryAttempts);
        Assert.Equal(10, options.DynamoDb.BatchMaxRetryAttempts);
        Assert.Equal(8, worker.PilotConcurrency);
        Assert.Equal(4096, worker.StderrTailBytes);
    }

    [Fact]
    public void Staleness_follows_the_heartbeat_interval_it_is_derived_from()
    {
        var (options, _) = LoadTuning("--Coordinator:Heartbeat:Interval=00:00:05");

        Assert.Equal(TimeSpan.FromSeconds(5), options.Heartbeat.Interval);
        Assert.Equal(TimeSpan.FromSeconds(5) * HeartbeatOptions.MissedBeatsBeforeLost, options.Heartbeat.StaleAfter);
    }

    [Fact]
    public void Staleness_cannot_be_set_apart_from_the_interval()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() => LoadTuning("--Coordinator:Heartbeat:StaleAfter=00:10:00"));

        Assert.Contains(error.Errors, e => e.Contains("Coordinator:Heartbeat:StaleAfter", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--Coordinator:Heartbeat:Interval=00:00:00", "Coordinator:Heartbeat:Interval")]
    [InlineData("--Coordinator:Dispatch:RunningRequeue=00:00:00", "Coordinator:Dispatch:RunningRequeue")]
    [InlineData("--Coordinator:DynamoDb:MaxRetryAttempts=1000", "Coordinator:DynamoDb:MaxRetryAttempts")]
    [InlineData("--Coordinator:Worker:PilotConcurrency=0", "Coordinator:Worker:PilotConcurrency")]
    public void An_out_of_range_tuning_value_is_refused_naming_its_path(string setting, string path)
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() => LoadTuning(setting));

        Assert.Contains(error.Errors, e => e.StartsWith(path + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dynamodb_max_delay_below_the_base_delay_is_refused()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            LoadTuning("--Coordinator:DynamoDb:BaseDelay=00:00:02", "--Coordinator:DynamoDb:MaxDelay=00:00:01"));

        Assert.Contains(error.Errors, e => e.StartsWith("Coordinator:DynamoDb:MaxDelay: must be at least BaseDelay", StringComparison.Ordinal));
    }

    private (CoordinatorOptions Options, Worker.WorkerOptions Worker) LoadTuning(params string[] overrides) =>
        CoordinatorConfiguration.Load(Build(overrides, new Hashtable()));
}
