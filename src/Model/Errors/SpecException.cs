using Coordinator.Model.Validation;

namespace Coordinator.Model.Errors;

/// <summary>
/// A job spec is invalid. Carries every problem found (never just the first), each with its path and position,
/// so a user fixes them all in one pass. Permanent: resubmitting the same spec fails the same way.
/// </summary>
public sealed class SpecException : CoordinatorException
{
    public SpecException(IReadOnlyList<SpecError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public SpecException()
    {
        Errors = [];
    }

    public SpecException(string message)
        : base(message)
    {
        Errors = [new SpecError("", message, null, null)];
    }

    public SpecException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new SpecError("", message, null, null)];
    }

    public IReadOnlyList<SpecError> Errors { get; }

    private static string Describe(IReadOnlyList<SpecError> errors) =>
        errors.Count == 1
            ? errors[0].ToString()
            : $"{errors.Count} errors:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
