using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Streams;
using Coordinator.Reconciler.Feed;

namespace Coordinator.Reconciler.Tests.Feed;

public sealed class PollPacerTests
{
    private static readonly FeedOptions Options = new();

    [Fact]
    public void A_busy_shard_is_polled_at_four_calls_a_second_and_an_idle_one_slows_to_one_a_second()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), PollPacer.NextInterval(Options, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(250), PollPacer.NextInterval(Options, Options.EmptyPollsBeforeIdle - 1));
        Assert.Equal(TimeSpan.FromMilliseconds(375), PollPacer.NextInterval(Options, Options.EmptyPollsBeforeIdle));
        Assert.Equal(TimeSpan.FromSeconds(1), PollPacer.NextInterval(Options, Options.EmptyPollsBeforeIdle + 100));
    }

    [Theory]
    [InlineData(10, 100)]
    [InlineData(4, 250)]
    [InlineData(1, 1000)]
    public void The_active_interval_follows_ActivePollsPerSecond(double perSecond, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), PollPacer.NextInterval(new FeedOptions { ActivePollsPerSecond = perSecond }, 0));

    [Theory]
    [InlineData(0.5)]
    [InlineData(11)]
    public void ActivePollsPerSecond_outside_one_to_ten_is_refused(double perSecond)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var options = new FeedOptions { ActivePollsPerSecond = perSecond };
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(FeedOptions.ActivePollsPerSecond)));
    }

    [Fact]
    public void Errors_back_off_exponentially_up_to_the_maximum()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), PollPacer.ErrorBackoff(Options, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), PollPacer.ErrorBackoff(Options, 2));
        Assert.Equal(TimeSpan.FromSeconds(10), PollPacer.ErrorBackoff(Options, 50));
    }

    [Fact]
    public void Resync_is_jittered_within_the_configured_fraction()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), PollPacer.JitteredResync(Options, 0));
        Assert.Equal(TimeSpan.FromMinutes(5.5), PollPacer.JitteredResync(Options, 1));
    }
}

public sealed class ShardLineageTests
{
    [Fact]
    public void A_child_is_readable_only_after_its_parent_is_finished()
    {
        var parent = new Shard("p", null, "1", "9");
        var child = new Shard("c", "p", "10", null);

        Assert.Equal(["p"], ShardLineage.Readable([parent, child], new HashSet<string>()).Select(s => s.ShardId));
        Assert.Equal(["c"], ShardLineage.Readable([parent, child], new HashSet<string> { "p" }).Select(s => s.ShardId));
    }

    [Fact]
    public void A_child_whose_parent_was_trimmed_away_is_readable()
    {
        Assert.Equal(["c"], ShardLineage.Readable([new Shard("c", "gone", "10", null)], new HashSet<string>()).Select(s => s.ShardId));
    }

    [Fact]
    public void A_term_starts_after_checkpoints_from_the_start_of_their_unread_descendants_and_from_latest_elsewhere()
    {
        Shard[] shards =
        [
            new("old", null, "1", "9"),        // closed, nothing on its line checkpointed
            new("open", "old", "10", null),    // open child of it
            new("read", null, "1", "9"),       // closed, checkpointed
            new("child", "read", "10", "19"),  // never reached by the last leader
            new("grandchild", "child", "20", null),
            new("orphan", "trimmed", "30", null), // its checkpointed parent is no longer listed
        ];
        var starts = ShardLineage.StartsAt(shards, new Dictionary<string, string> { ["read"] = "5", ["trimmed"] = "8" });

        Assert.Equal(ShardStart.Skipped, starts["old"]);
        Assert.Equal(ShardStart.Latest, starts["open"]);
        Assert.Equal(ShardStart.AfterCheckpoint, starts["read"]);
        Assert.Equal(ShardStart.TrimHorizon, starts["child"]);
        Assert.Equal(ShardStart.TrimHorizon, starts["grandchild"]);
        Assert.Equal(ShardStart.TrimHorizon, starts["orphan"]);
        Assert.Equal(ShardStart.Latest, ShardLineage.StartsAt([new Shard("s", null, "1", null)], new Dictionary<string, string>())["s"]);
    }
}

public sealed class StreamRecordRouterTests
{
    [Fact]
    public void A_job_record_enqueues_its_job_and_a_task_record_its_owner()
    {
        Assert.Equal("wc", StreamRecordRouter.Route(StreamTable.Jobs, Record("INSERT", new() { ["name"] = S("wc") }, Image(("spec", S("x"))), null)).Job);
        Assert.Equal("wc", StreamRecordRouter.Route(StreamTable.Tasks, Record("MODIFY", new() { ["job"] = S("wc"), ["index"] = new() { N = "3" } }, null, null)).Job);
    }

    [Fact]
    public void The_daemons_own_status_writes_are_not_routed_but_a_spec_edit_is()
    {
        var before = Image(("name", S("wc")), ("spec", S("a")), ("status", S("Pending")), ("version", new() { N = "1" }));
        var statusOnly = Image(("name", S("wc")), ("spec", S("a")), ("status", S("Running")), ("version", new() { N = "2" }));
        var specEdit = Image(("name", S("wc")), ("spec", S("b")), ("status", S("Pending")), ("version", new() { N = "1" }));

        Assert.Equal((null, "own status write"), StreamRecordRouter.Route(StreamTable.Jobs, Record("MODIFY", new() { ["name"] = S("wc") }, statusOnly, before)));
        Assert.Equal("wc", StreamRecordRouter.Route(StreamTable.Jobs, Record("MODIFY", new() { ["name"] = S("wc") }, specEdit, before)).Job);
    }

    [Fact]
    public void Templates_are_skipped_and_a_record_without_its_key_is_rejected()
    {
        Assert.Null(StreamRecordRouter.Route(StreamTable.Jobs, Record("INSERT", new() { ["name"] = S("template:base") }, null, null)).Job);
        Assert.Null(StreamRecordRouter.Route(StreamTable.Jobs, Record("INSERT", new() { ["name"] = S("t") }, Image(("kind", S("JobTemplate"))), null)).Job);
        Assert.Throws<FormatException>(() => StreamRecordRouter.Route(StreamTable.Tasks, Record("INSERT", new() { ["name"] = S("wc") }, null, null)));
    }

    private static AttributeValue S(string s) => new() { S = s };

    private static Dictionary<string, AttributeValue> Image(params (string Key, AttributeValue Value)[] attributes) =>
        attributes.ToDictionary(a => a.Key, a => a.Value);

    private static StreamRecord Record(string eventName, Dictionary<string, AttributeValue> keys,
        Dictionary<string, AttributeValue>? newImage, Dictionary<string, AttributeValue>? oldImage) =>
        new("e", eventName, "1", null, 0, keys, newImage, oldImage);
}
