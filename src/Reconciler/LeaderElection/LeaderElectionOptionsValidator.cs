using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.LeaderElection;

/// <summary>Checks the lease timings at start, so a setting that would allow two leaders fails fast.</summary>
public sealed class LeaderElectionOptionsValidator : IValidateOptions<LeaderElectionOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaderElectionOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
