using Coordinator.Controllers.Configuration;
using Coordinator.Worker;
using Microsoft.Extensions.Options;

namespace Coordinator.Reconciler.Configuration;

/// <summary>Validates <see cref="WorkerOptions"/> (section "Coordinator:Worker"), each error named by its configuration path.</summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public const string Path = CoordinatorOptions.SectionName + ":" + WorkerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Validate(WorkerOptions options)
    {
        var errors = new List<string>();
        CoordinatorOptionsValidator.ValidateAnnotations(options, Path, errors);
        return errors;
    }
}
