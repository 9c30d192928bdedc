namespace Coordinator.Model.Errors;

/// <summary>
/// A daemon-written DynamoDB item (a task, or a job's status) does not have the shape Coordinator writes.
/// User-written job specs never throw this: their problems are collected in <c>Job.DecodeErrors</c>.
/// </summary>
public sealed class ItemFormatException : CoordinatorException
{
    public ItemFormatException()
    {
    }

    public ItemFormatException(string message)
        : base(message)
    {
    }

    public ItemFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
