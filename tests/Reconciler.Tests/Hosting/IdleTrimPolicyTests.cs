using Coordinator.Reconciler.Hosting;

namespace Coordinator.Reconciler.Tests.Hosting;

public sealed class IdleTrimPolicyTests
{
    private const long MiB = 1L << 20;
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private readonly IdleTrimPolicy _policy = new(TimeSpan.FromSeconds(10), 4 * MiB);

    [Fact]
    public void Work_that_stopped_less_than_the_quiet_period_ago_is_not_trimmed_yet() =>
        Assert.False(_policy.ShouldTrim(T0, null, 0, T0.AddSeconds(9.9), 100 * MiB));

    [Fact]
    public void Work_followed_by_the_quiet_period_is_trimmed() =>
        Assert.True(_policy.ShouldTrim(T0, null, 0, T0.AddSeconds(10), 100 * MiB));

    [Fact]
    public void A_quiet_spell_already_trimmed_is_not_trimmed_again_while_the_working_set_stays_put() =>
        Assert.False(_policy.ShouldTrim(T0, T0.AddSeconds(10), 90 * MiB, T0.AddMinutes(5), 93 * MiB));

    [Fact]
    public void A_quiet_spell_is_trimmed_again_once_the_working_set_regrew_by_the_threshold() =>
        Assert.True(_policy.ShouldTrim(T0, T0.AddSeconds(10), 90 * MiB, T0.AddMinutes(1), 94 * MiB));

    [Fact]
    public void Regrowth_never_trims_sooner_than_the_quiet_period_after_the_last_trim() =>
        Assert.False(_policy.ShouldTrim(T0, T0.AddSeconds(10), 90 * MiB, T0.AddSeconds(15), 200 * MiB));

    [Fact]
    public void New_work_after_a_trim_makes_the_next_quiet_spell_trim_again_whatever_the_working_set() =>
        Assert.True(_policy.ShouldTrim(T0.AddMinutes(1), T0.AddSeconds(10), 90 * MiB, T0.AddMinutes(1).AddSeconds(10), 80 * MiB));
}
