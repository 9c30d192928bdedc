namespace Coordinator.Model.Errors;

/// <summary>
/// Root of every exception Coordinator throws. Catching it separates "we know what went wrong and can say so" from
/// unexpected faults, and <see cref="IsTransient"/> says whether a retry can help: callers decide by it, not by the
/// exception's message or a list of types.
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

    /// <summary>An exception that says, at construction, whether trying the same thing again may succeed.</summary>
    protected CoordinatorException(string message, Exception? innerException, bool isTransient)
        : base(message, innerException)
    {
        _isTransient = isTransient;
    }

    private readonly bool _isTransient;

    /// <summary>
    /// True when the same operation may succeed if tried again (the environment failed: a service unreachable or
    /// throttling, a concurrent change); false when retrying would fail the same way until someone changes something.
    /// Permanent unless the type says otherwise.
    /// </summary>
    public virtual bool IsTransient => _isTransient;
}
