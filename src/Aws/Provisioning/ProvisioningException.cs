using Coordinator.Model.Errors;

namespace Coordinator.Aws.Provisioning;

/// <summary>
/// The stack cannot be brought to the required shape without a human: a table exists with another key schema,
/// a bucket belongs to someone else, or a resource never became ready. The message says which and what to do. Permanent.
/// </summary>
public sealed class ProvisioningException : CoordinatorException
{
    public ProvisioningException(string message) : base(message) { }
    public ProvisioningException(string message, Exception inner) : base(message, inner) { }
}
