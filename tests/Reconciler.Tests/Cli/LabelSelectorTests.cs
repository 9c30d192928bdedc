using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Nlp = new() { ["team"] = "nlp", ["env"] = "prod" };
    private static readonly Dictionary<string, string> Vision = new() { ["team"] = "vision", ["gpu"] = "a100" };
    private static readonly Dictionary<string, string> None = [];

    [Theory]
    [InlineData("team=nlp", true, false, false)]
    [InlineData("team==nlp", true, false, false)]
    [InlineData("team!=nlp", false, true, true)]
    [InlineData("gpu", false, true, false)]
    [InlineData("!gpu", true, false, true)]
    [InlineData("team=nlp,env=prod", true, false, false)]
    [InlineData("team=nlp,env=dev", false, false, false)]
    [InlineData(" team = nlp ", true, false, false)]
    [InlineData("", true, true, true)]
    public void Requirements_are_anded_and_match_like_kubectl(string selector, bool nlp, bool vision, bool none)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.Equal((nlp, vision, none), (parsed.Matches(Nlp), parsed.Matches(Vision), parsed.Matches(None)));
    }

    [Theory]
    [InlineData("team=nlp,,env=prod", "empty requirement")]
    [InlineData("=nlp", "\"\" is not a label key")]
    [InlineData("te am=nlp", "\"te am\" is not a label key")]
    public void A_malformed_selector_is_refused_naming_the_bad_part(string selector, string expected)
    {
        var error = Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
