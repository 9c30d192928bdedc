using Coordinator.Model.Errors;

namespace Coordinator.Worker.Handlers;

/// <summary>The handler's output is not what the job's output format requires (e.g. a line that is not JSON).</summary>
public sealed class OutputValidationException(string message) : CoordinatorException(message);
