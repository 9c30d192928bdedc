namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// The deployment's mark on a submission: its Slurm --comment is "{deployment}/{comment}", where comment is what the
/// dispatch controller asked for ("{token}@{offset}" or "{token}@pilot"). A listing keeps only submissions carrying this
/// deployment's mark, and gives their comment back without it, so nothing above the adapter sees another deployment.
/// A comment without a mark (written before deployments were scoped, or by anything else) belongs to no deployment.
/// </summary>
internal static class DeploymentComment
{
    public static string Mark(string deployment, string comment) => $"{deployment}/{comment}";

    /// <summary>The comment without <paramref name="deployment"/>'s mark, or null when the submission is not this deployment's.</summary>
    public static string? Unmark(string deployment, string? comment) =>
        comment is not null && comment.Length > deployment.Length + 1 && comment[deployment.Length] == '/'
            && comment.StartsWith(deployment, StringComparison.Ordinal)
            ? comment[(deployment.Length + 1)..]
            : null;
}
