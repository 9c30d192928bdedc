using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Coordinator.Controllers.Configuration;

/// <summary>
/// Who "this deployment" is on a Slurm cluster it may share with others (staging beside production, two checkouts):
/// what every submission's --comment carries and every Slurm query and action is scoped to. Configured as
/// <c>Coordinator:Deployment</c>, or derived deterministically from what makes a deployment distinct — its jobs table,
/// tasks table and data root — so two deployments differ without anyone configuring them, and a restarted (or
/// standby) daemon of the same deployment finds its own submissions again.
/// </summary>
public static partial class DeploymentIdentity
{
    /// <summary>Letters, digits, '_' and '-', 1 to 40: nothing Slurm, a shell or the comment format ('/', '@') reads.</summary>
    public const string Pattern = "^[A-Za-z0-9_-]{1,40}$";

    public static bool IsValid(string? deployment) => deployment is not null && Shape().IsMatch(deployment);

    /// <summary>"d" and the first 12 hex digits of sha256("{jobsTable}\n{tasksTable}\n{dataRoot}").</summary>
    public static string Derive(string jobsTable, string tasksTable, Uri dataRoot)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{jobsTable}\n{tasksTable}\n{dataRoot.AbsoluteUri}"));
        return "d" + Convert.ToHexStringLower(hash)[..12];
    }

    [GeneratedRegex(Pattern)]
    private static partial Regex Shape();
}
