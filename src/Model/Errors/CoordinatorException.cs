namespace Coordinator.Model.Errors;

/// <summary>
/// Root of Coordinator's own exceptions. Catching it separates "we know what went wrong and can say so"
/// from unexpected faults; subclasses say whether a retry can help.
/// </summary>
public class CoordinatorException : Exception
{
    public CoordinatorException()
    {
    }

    public CoordinatorException(string message)
        : base(message)
    {
    }

    public CoordinatorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
