using System.CommandLine;
using Coordinator.Model.Validation;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// The NAME argument of the per-job verbs. A name that could never be a job ([a-z0-9-], 1..63) is a usage error
/// (exit 2) before any AWS call, rather than a confusing "not found".
/// </summary>
public static class JobNameArgument
{
    public static Argument<string> Create()
    {
        var argument = new Argument<string>("NAME") { Description = "Job name ([a-z0-9-], 1..63 characters)" };
        argument.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (NameRules.Check(value) is { } problem)
            {
                result.AddError($"NAME {problem}");
            }
        });
        return argument;
    }
}
