using Coordinator.Model.Errors;

namespace Coordinator.Data.Aggregation;

/// <summary>A batch result's bytes do not match the sha256 its worker recorded: the output is not trusted or written.</summary>
public sealed class ResultChecksumException(int index, string uri, string expected, string actual)
    : CoordinatorException($"result of batch {index} ({uri}) has sha256 {actual}, but its worker recorded {expected}")
{
    public int Index { get; } = index;
}
